// Package policysync keeps a Warden enforcer in step with the store it
// shares with other instances. The store is the truth: a [Follower] never
// takes a rule from a message. It reads the store's change log
// (enforcer.CatchUp) when a watcher hint arrives and, whatever arrives or
// not, every poll interval, so that a lost announcement, a writer killed
// between its commit and its announcement, or a cut subscription delays an
// instance by at most one interval plus one read.
//
//	f, err := policysync.New(e, policysync.WithWatcher(w), policysync.WithInterval(2*time.Second))
//	if err != nil { ... }
//	go f.Run(ctx) // until ctx ends
//
// With WithWatcher the follower owns both directions of the enforcer's sync:
// the watcher's messages are its hints, and the enforcer announces its own
// changes through the watcher (enforcer.Enforcer.AnnounceThrough). Do not
// also call enforcer.Enforcer.SetWatcher, its stand-alone equivalent: the
// second attach is refused with enforcer.ErrSyncAttached.
//
// Hints are coalesced: however many arrive, at most one read is in flight
// and one more pending, so that a flood of announcements (forged or not)
// costs at most back-to-back indexed reads of the log. A hint whose revision
// this instance has applied already causes no read at all.
//
// [Follower.Ready] and [Follower.Subscribed] tell a readiness probe whether
// the instance may be stale beyond the bound, and [Follower.Status] feeds
// metrics (package metrics, Metrics.Sync).
package policysync
