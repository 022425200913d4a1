// Package pgwatcher is a watcher.Transport on PostgreSQL LISTEN/NOTIFY, for
// deployments whose policy already lives in PostgreSQL: no extra
// infrastructure, and notifications travel through the same server as the
// policy they announce.
//
// Each watcher holds one dedicated connection that runs LISTEN (a pooled
// connection cannot: it would be handed to other work) and publishes with
// pg_notify through a pool, either its own or the application's.
//
// NOTIFY payloads are limited to 8000 bytes; a larger change (a bulk grant) is
// announced as a reload instead.
package pgwatcher
