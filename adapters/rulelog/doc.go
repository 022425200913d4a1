// Package rulelog stores Casbin rules in Casbin's casbin_rule table layout
// (ptype, v0..v5, read by gorm-adapter and other Casbin tools as usual)
// with a change log next to it, on PostgreSQL, MySQL/MariaDB and SQLite
// through GORM. It is the write side of "the store is the truth": a Store
// is a persist.Adapter that also implements enforcer.ChangeLog, so an
// enforcer on it writes every change in one transaction and follows the
// log, not its own memory and not the messages of other instances.
//
// # Tables
//
//	<table>       id, ptype, v0..v5         unique (ptype, v0..v5), as gorm-adapter creates it
//	<table>_log   revision, seq, op, ptype, vals (JSON array), change_id, created_ms
//	<table>_head  id = 1, revision, pruned, epoch
//
// A write runs in one transaction: it first increments the head's revision
// (which takes the head row's lock, so writers commit one at a time and
// revisions are assigned in commit order, without gaps), then inserts
// (INSERT ... ON CONFLICT DO NOTHING, ON DUPLICATE KEY UPDATE on MySQL) or
// deletes the rule rows, counting what the store affected, writes one log
// row per rule actually changed, runs the caller's TxFunc (an audit row),
// and on PostgreSQL optionally sends the announcement with pg_notify, which
// the server delivers at commit and never for a rollback. A write that
// changes nothing gives its revision back and logs nothing.
//
// A reader asks for the revisions after the one it applied. Because a
// revision is only taken while the previous writer's commit is visible, a
// reader that sees revision n has seen every revision below it.
//
// # Unknown outcomes
//
// When COMMIT fails (the connection broke or timed out after it was sent),
// the write does not guess: it ends the old server session if it is still
// there (pg_terminate_backend, KILL), takes the head lock (so that no
// commit of it can still be in flight) and looks for the change's random id
// in the log. It answers success if it is there and an error if not. If the
// store cannot be asked, the error wraps enforcer.ErrOutcomeUnknown and the
// next write asks first: it refuses to write until it knows.
//
// # Pruning
//
// The log keeps at least the last WithRetention revisions and at least the
// rows younger than its age; older rows are deleted every 256 revisions, and
// the head records the highest revision pruned. A reader behind it gets an
// error wrapping enforcer.ErrLogGap and reloads the whole policy. SavePolicy
// (replace everything) marks the whole log pruned the same way.
//
// # Timeouts
//
// Every database call runs under WithTimeout (DefaultTimeout): a read of
// the log or the head, and a write's whole transaction, each; the
// resolution of an unknown outcome gets its own. A load of the whole table
// runs under WithLoadTimeout (DefaultLoadTimeout), since it grows with the
// policy.
//
// # Resets
//
// The head row's epoch is a random name given when the tables are created.
// Dropping the tables and creating them again restarts the revisions at 1
// under a new epoch, and an enforcer that sees the epoch change reloads in
// full (enforcer.Epochs) rather than replay the new log over rules the
// store no longer holds. A reset by hand that keeps the head row (deleting
// the log and setting the revision back) keeps the epoch: do not do it.
//
// Writers that bypass the Store (Casbin's gorm-adapter, SQL by hand) change
// the rule table without a log row: instances see such changes only at
// their next full reload.
package rulelog
