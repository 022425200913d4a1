// Command fleet is an application that embeds Warden's enforcer — not
// warden serve — on several instances sharing one PostgreSQL database, with
// the guarantees warden serve has:
//
//   - the policy lives in a rulelog store: every grant or revoke writes the
//     rule rows and a change log row in one transaction, under a revision;
//   - the store announces each revision with NOTIFY inside the transaction
//     (delivered at commit, never for a rollback); the announcement carries
//     no rule;
//   - each instance follows the log with a policysync.Follower, woken by the
//     announcements of a pgwatcher and polling in any case, so that a forged
//     or lost announcement can at worst cause or delay a read of the store.
//
// It runs two instances in one process to show a grant on one reaching the
// other, and a forged announcement changing nothing:
//
//	go run ./examples/fleet -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
package main
