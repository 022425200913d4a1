// Package watcher tells the Warden instances that share one policy store
// that the store changed ("many instances, one truth").
//
// The store is the truth; an announcement is only a hint. When an instance
// commits a change, an announcement carrying nothing but its instance id and
// the revision of the store's change log it committed ([Hint], see
// [EncodeHint]) reaches the others, which then read the log from the
// revision they have applied (enforcer.CatchUp). No rule ever travels in a
// message, so anybody able to write on the channel (any PostgreSQL role may
// NOTIFY, any Redis client may PUBLISH) can at worst cause a read of the
// store: a forged, replayed, reordered, truncated or oversized message never
// changes a decision. An instance drops hints carrying its own id.
//
// A [Watcher] implements Casbin's persist.Watcher, persist.WatcherEx and
// persist.UpdatableWatcher on top of a [Transport], so that foreign Casbin
// code can use it: every one of those methods publishes a hint of an unknown
// revision, and the update callback receives hint payloads, re-encoded by
// the watcher, never the sender's text. Two transports ship with Warden:
//
//   - watcher/pgwatcher: PostgreSQL LISTEN/NOTIFY (no extra infrastructure when
//     the policy already lives in PostgreSQL; the store then sends the NOTIFY
//     inside the change's own transaction);
//   - watcher/rediswatcher: Redis pub/sub.
//
// watcher/policysync drives an enforcer from the hints and from a periodic
// poll of the log, with at most one read in flight.
//
// Pub/sub delivery is at most once: a hint published while an instance is
// disconnected is lost for that instance. After a lost subscription is
// re-established (with exponential backoff and jitter) the watcher hands the
// callback a hint of an unknown revision, so that what was missed is read;
// the poll of the log bounds how long any lost hint can delay an instance.
// [Watcher.Connected] tells whether the subscription is up.
//
// Announcing while the transport is unreachable fails with an error matching
// [ErrUnavailable].
//
// Observability goes through [WithObserver]: every announcement, receipt,
// disconnect and reconnect is reported as an [Event], and [Watcher.Stats]
// keeps running counters.
package watcher
