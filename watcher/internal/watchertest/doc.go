// Package watchertest is the conformance suite every watcher transport must
// pass against its real service: propagation between instances, self
// filtering, every Casbin operation, reconnection after a server-side kill,
// unavailability while the service is cut off, clean Close, and the
// propagation benchmark. pgwatcher and rediswatcher run it from their tests.
package watchertest
