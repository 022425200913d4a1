package middleware

import (
	"net/http"
)

// Require is middleware for a single route that asks the decider about
// (subject, values...), with the caller's request-scoped groups. With the
// permissions model, auth.Require("read:posts") protects a route by one
// permission string, wildcards, roles and deny rules included. It
// authenticates the caller when no earlier middleware did, and refuses a
// path CheckPath refuses (403) although the decision does not read it: the
// handler does. It panics when a has no decider (WithDecider).
func (a *Auth) Require(values ...any) func(http.Handler) http.Handler {
	a.mustDecide("Require")
	s := &step{a: a, kind: stepRequire, values: append([]any(nil), values...)}
	return s.middleware
}
