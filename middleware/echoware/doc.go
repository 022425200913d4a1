// Package echoware adapts package middleware to echo v4: authentication,
// Authorize on every route, guards for single routes, the current user from
// the echo context, strict mode at run time, and a start-up audit that lists
// the routes registered without any check.
//
// It shares one middleware.Auth with net/http code, so decisions, logs and
// error bodies are the same in both. Constructors follow echo's middleware
// style: X(auth) with defaults, XWithConfig(Config) to change them.
package echoware
