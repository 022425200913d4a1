// Package metrics exposes Warden's Prometheus metrics on a registry of its
// own (never the global default, so that embedding applications choose what
// they publish), with small hooks the other packages call.
//
// Metrics (namespace "warden" by default):
//
//	warden_decisions_total{result}                      allow, deny, error
//	warden_decision_duration_seconds                    histogram
//	warden_provider_fetch_duration_seconds{source}      histogram, e.g. source="groups/sql"
//	warden_provider_fetch_errors_total{source}
//	warden_cache_hits_total{source}, warden_cache_misses_total{source}
//	warden_breaker_state{source}                        0 closed, 1 half-open, 2 open
//	warden_watcher_events_total{channel,kind}           every watcher.Event kind
//	warden_watcher_reconnects_total{channel}
//	warden_watcher_connected{channel}                   1 subscribed, 0 lost, read at scrape time (alert on it)
//	warden_sync_applied_revision{scope}                 change-log revision applied in memory
//	warden_sync_store_revision{scope}                   the store's latest revision, as last read
//	warden_sync_lag_seconds{scope}                      since the last successful read of the log (+Inf before)
//	warden_sync_last_success_timestamp_seconds{scope}   when that read began
//	warden_policy_rules{scope,ptype}                    policy size, read at scrape time
//	warden_policy_changes_total{scope,action,outcome}   ok, not_announced, invalid, conflict, unavailable, audit_failed
//	warden_audit_chain_head_seq{table}                  audit log's last sequence number, read at scrape time
//	warden_audit_chain_head_info{table,hash}            1, labelled with the last entry's hash
//	warden_audit_chain_head_up{table}                   1 when the head could be read
//
// # Hooks
//
//   - Middleware is the middleware option (middleware.WithDecider around
//     Decider) that makes an embedding application's middleware count and
//     time every decision, as `warden serve` does.
//   - Decider wraps any enforcer.Decider so that every decision is counted
//     and timed.
//   - Provider wraps a provider with fetch latency and errors, for
//     middleware.WithGroups and middleware.WithPermissions.
//   - ObserveFetch, ObserveCache and ObserveBreaker have the signatures of
//     config.Hooks' fields; ObserveDecision that of
//     server.WithDecisionObserver, ObserveChange that of
//     server.WithChangeObserver.
//   - WatcherObserver is a watcher.WithObserver function; WatcherConnected
//     publishes a watcher's Connected.
//   - Sync publishes a policysync.Follower's revisions and lag.
//   - Policy publishes the size of an enforcer's policy.
//   - AuditChain publishes an audit log's chain head (audit.Log.Head).
//
// Handler serves the registry for /metrics.
package metrics
