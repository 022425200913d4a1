// Package config builds `warden serve` from configuration: command-line
// flags, WARDEN_* environment variables and a YAML file, in that order of
// precedence (a flag beats its variable, which beats the file, which beats
// the built-in default). It parses settings and wires what other packages
// build: BuildProviders, the Go form of the "create provider from
// environment" factory, turns the configured source kinds into wrapped,
// combined warden.GroupsProvider and warden.PermissionsProvider values, each
// source made by the package that owns it (sqlstore.Open, redisstore.Open,
// httpapi.New, jsonfile.Open) and each readiness check a health.Check.
// OpenDB, Dialect and MySQLDSN are sqlstore's, under their old names.
//
// # Names
//
// Every setting has one name in three spellings: the flag
// --groups-cache-ttl, the variable WARDEN_GROUPS_CACHE_TTL (EnvName) and the
// YAML key cache_ttl under groups:. The YAML file is named by --config or
// WARDEN_CONFIG:
//
//	addr: 127.0.0.1:8181
//	db: postgres://warden@db:5432/warden
//	model: conf/model.conf
//	seed: conf/policy.csv          # written to an empty database
//	issuer: https://idp.example.com/
//	audience: warden
//	jwks_url: https://idp.example.com/.well-known/jwks.json
//	admin: [ops-lead]              # members of warden-admin at start
//	channel: warden_policy         # NOTIFY / pub-sub channel of this deployment
//	redis_watcher: redis:6379      # sync through Redis instead of PostgreSQL NOTIFY
//	sync_interval: 2s              # poll of the change log: the bound on a lost announcement
//	log_level: info                # debug, info, warn or error
//	decision_log_every: 1          # log 1 in n decisions (0: none; failures always)
//	table_prefix: ""               # prefix of casbin_rule, warden_admin_rule, audit_log
//	groups:
//	  provider: [claims, sql]      # union of the token's groups and authz_groups
//	  cache_ttl: 30s
//	  timeout: 500ms
//	  retries: 2
//	  breaker_failures: 5
//	  breaker_open: 10s
//	permissions:
//	  provider: [claims]
//	  claim: permissions
//
// Lists (admin, groups provider) are YAML sequences, comma-separated in a
// variable, and repeatable or comma-separated as flags. Unknown keys and bad
// values are errors naming FILE:LINE, the variable or the flag.
//
// # Sources
//
// Kinds returns the source kinds; each is one line of the builders table:
//
//	claims  the verified token's claims (package adapters/claims)
//	sql     the authz_groups and authz_permissions tables (adapters/sqlstore),
//	        in the policy database or the one of groups-sql-dsn
//	file    a JSON file (adapters/jsonfile), reloaded when it changes
//	redis   Redis sets (adapters/redisstore) at redis_addr, keys under redis_prefix
//	http    an HTTP service (adapters/httpapi) at url, with api_key
//
// Each source is wrapped, inside out, in a timeout (default 2s for all but
// claims), retries (for http only on errors httpapi.Retryable accepts), a
// circuit breaker and a per-identity cache, each when configured; several
// sources are combined as a union (all must answer), an intersection, or a
// best-effort union. Hooks let package metrics count fetches and errors,
// and, through the cache's and the breaker's observers, cache hits and
// breaker states.
package config
