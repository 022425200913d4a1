// Package policysync turns watcher messages into changes of a Warden
// enforcer: an added or removed rule is applied in memory alone, without
// reading the whole policy again; anything else (a save, a reconnection, an
// undecodable message, an update or filtered removal, a failed apply) makes
// the enforcer reload.
//
// Use it after enforcer.SetWatcher, which installs a reload-everything
// callback:
//
//	if err := e.SetWatcher(w); err != nil { ... }
//	_ = w.SetUpdateCallback(policysync.Callback(e))
//
// Applying single changes is cheaper than reloading a large policy, but it
// trusts message order: two instances changing the same rule at the same
// moment may announce in the opposite order to the one the database
// committed. Deployments with such contention should reload periodically
// (Enforcer.Reload) as a safety net, or keep the reload-everything callback.
package policysync
