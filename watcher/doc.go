// Package watcher keeps several Warden instances that share one policy store in
// agreement ("many instances, one truth").
//
// When one instance changes the policy it persists the change through its
// adapter and then publishes a small JSON [Message] on a channel. Every other
// instance receives it and either applies the single changed rule (see
// [Decode]) or reloads the whole policy. An instance never acts on its own
// messages: each watcher has an instance id and drops messages carrying it.
//
// A [Watcher] implements Casbin's persist.Watcher, persist.WatcherEx and
// persist.UpdatableWatcher on top of a [Transport]. Two transports ship with
// Warden:
//
//   - watcher/pgwatcher: PostgreSQL LISTEN/NOTIFY (no extra infrastructure when
//     the policy already lives in PostgreSQL);
//   - watcher/rediswatcher: Redis pub/sub.
//
// enforcer.SetWatcher makes every message reload the whole policy;
// watcher/policysync offers a callback that applies an added or removed rule
// alone and reloads only for the rest.
//
// Pub/sub delivery is at most once: a message published while an instance is
// disconnected is lost for that instance. So after a lost subscription is
// re-established (with exponential backoff and jitter) the watcher hands the
// update callback a reload message; the instance then reloads the full policy
// and is back in agreement. Until then it keeps deciding with the last policy
// it loaded.
//
// Publishing while the transport is unreachable fails with an error matching
// [ErrUnavailable], so that a write path can tell the caller its change was
// stored but not announced, or was not stored at all.
//
// Observability goes through [WithObserver]: every publish, receipt (with the
// propagation lag measured from the sender's clock), disconnect and reconnect
// is reported as an [Event], and [Watcher.Stats] keeps running counters.
package watcher
