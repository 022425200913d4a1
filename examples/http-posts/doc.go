// Command http-posts is the net/http twin of examples/echo-posts: the same
// posts API, policy and flags, on the standard library's ServeMux.
//
//	go run ./examples/http-posts
package main
