// Package audit records every change to a Warden policy: who made it, what
// was asked, which of the rules were present before and after, when, and
// from where (remote address and request id, or the command line).
//
// Each change goes to two places. It is logged through slog first, so that a
// trace exists even when the database refuses the write, and then inserted
// into an append-only table (audit_log by default; see Entry for the
// columns). The package offers Record, RecordTx (inside the caller's
// transaction, so that a change and its entry commit together) and List and
// nothing else: there is no
// API to update or delete an entry. The database enforces the same: Migrate
// installs triggers that refuse UPDATE and DELETE on the table (and TRUNCATE
// on PostgreSQL) on PostgreSQL, MySQL/MariaDB and SQLite alike, so a
// mistaken or malicious program using the same credentials cannot rewrite
// history either. Only an operator who drops the triggers can.
package audit
