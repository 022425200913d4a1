// Package config builds `warden serve` and the admin commands from
// configuration: command-line flags, WARDEN_* environment variables and a
// YAML file, in that order of precedence. It opens the database named by a
// DSN (OpenDB) and builds the groups and permissions providers the
// configuration chooses.
package config
