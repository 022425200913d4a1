// Package audit records every change to a Warden policy: who made it, what
// was asked, which of the rules were present before and after, when, and
// from where (remote address and request id, or the command line).
//
// Each change goes to two places. It is logged through slog first, so that a
// trace exists even when the database refuses the write, and then inserted
// into an append-only table (audit_log by default; see Entry for the
// columns). The package offers Record, RecordTx (inside the caller's
// transaction, so that a change and its entry commit together), List,
// Head and Verify, and nothing else: there is no API to update or delete
// an entry.
//
// # Append-only
//
// Migrate installs triggers that refuse UPDATE and DELETE on the table on
// PostgreSQL, MySQL/MariaDB and SQLite, TRUNCATE on PostgreSQL, and on
// SQLite and MySQL/MariaDB an INSERT onto an existing id or sequence number
// (SQLite's REPLACE INTO deletes the old row without running DELETE
// triggers). MariaDB and MySQL cannot trigger on TRUNCATE, and whoever owns
// the table can drop the triggers: the hash chain is what makes such
// changes visible.
//
// # Hash chain
//
// Every entry gets a sequence number (1, 2, 3 … without gaps) and the
// SHA-256 of its canonical encoding (see Hash), which includes the
// previous entry's hash. Writers take the next number under a lock on the
// one row of the head table (TABLE_chain) inside the writing transaction,
// so writers in several processes never fork the chain; the head row also
// remembers the end of the chain, so that deleting the last entries, or
// emptying the table, leaves a gap Verify names. Verify (warden audit
// verify) names the first entry that is missing, altered, reordered,
// forged or back-dated (its time earlier than its predecessor's by more
// than a tolerance). Head is exported as a log line and by the metrics
// package, so that a rewritten history is visible from outside the
// database too: a chain is only as good as a copy of its head kept
// elsewhere, since whoever can write the table and knows the encoding can
// recompute a consistent chain.
package audit
