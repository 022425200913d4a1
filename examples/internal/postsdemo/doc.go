// Package postsdemo is the shared part of the examples/echo-posts and
// examples/http-posts demo apps: configuration from flags and WARDEN_*
// environment variables, the SQL-backed enforcer with its seed policy, the
// token verifier (with a generated secret and ready demo tokens when no key
// is given), and the in-memory posts store. Each app only wires routes.
package postsdemo
