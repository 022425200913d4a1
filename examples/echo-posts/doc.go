// Command echo-posts is the Warden demo: a small posts API on echo whose
// every route is checked by the enforcer, with roles stored in SQL and
// groups from the caller's token.
//
//	go run ./examples/echo-posts
//
// prints demo tokens for alice (admin), bob (editor) and carol (viewer)
// and curl lines to try. See --help for the flags and WARDEN_* variables.
package main
