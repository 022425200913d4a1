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
