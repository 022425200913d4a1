// Package flow is the seam between package middleware, which owns the one
// authentication pipeline, and the framework adapters of this module
// (package echoware). It holds two interfaces and no logic:
//
//   - Exchange is one request as a framework sees it: its request and
//     response, the route that serves it, and the framework's own skipper,
//     mapper, error handler and next handler;
//   - Runner is implemented by every handler that package middleware's
//     checks return (Authenticate, Authorize, Require, the guards, Public,
//     Strict): it runs the same check, in the same order, for an Exchange.
//
// An adapter builds the net/http form of a check once, asserts it to
// Runner, and runs it per request with its own Exchange. The order of the
// steps, the decisions, the logs, the checked marker and the default error
// responses thus stay in package middleware, for every framework. Being
// internal, the seam is no part of the public API.
package flow

import "net/http"

// Exchange is one request as a framework sees it. The pipeline calls its
// methods only while Runner.Run runs, from Run's goroutine; it does not keep
// the Exchange afterwards, so an adapter may reuse it.
type Exchange interface {
	// Request returns the request as it stands.
	Request() *http.Request
	// SetRequest replaces the request: the pipeline adds its per-request
	// state to the context once.
	SetRequest(r *http.Request)
	// ResponseWriter is where refusals are written.
	ResponseWriter() http.ResponseWriter
	// Writer and SetWriter get and replace the writer beneath the
	// framework's response; strict mode wraps it.
	Writer() http.ResponseWriter
	SetWriter(w http.ResponseWriter)
	// Route is the path of the route that serves the request, or "" when
	// the request has not been routed yet.
	Route() string
	// Skip reports whether the framework's skipper skips the request.
	Skip() bool
	// Map returns the enforcer's values for subject; ok is false when the
	// framework has no mapper of its own and the Auth's is to be used.
	Map(subject string) (values []any, ok bool, err error)
	// Fail answers a refusal with the framework's error handler; ok is
	// false when it has none and the Auth's is to be used.
	Fail(err error) (ret error, ok bool)
	// Next runs the rest of the chain.
	Next() error
}

// Runner runs one check of the pipeline for an Exchange.
type Runner interface {
	Run(x Exchange) error
}
