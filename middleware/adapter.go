package middleware

import (
	"net/http"
)

// The functions below let framework adapters (package echoware) share the
// per-request state, so that markers set by their middleware count in
// strict mode and error responses look the same everywhere.

// Prepare returns r with the per-request state (request id, error handler,
// strict-mode marker) that the other functions use. It is idempotent.
func (a *Auth) Prepare(r *http.Request) *http.Request {
	r, _ = withState(r, a)
	return r
}

// Fail marks r as decided and writes the error response of a's error
// handler. r should come from Prepare.
func (a *Auth) Fail(w http.ResponseWriter, r *http.Request, err error) {
	r, st := withState(r, a)
	st.fail(w, r, err)
}

// Mapper returns the configured mapper.
func (a *Auth) Mapper() Mapper { return a.mapper }

// Skip reports whether the configured skipper skips r.
func (a *Auth) Skip(r *http.Request) bool { return a.skipper != nil && a.skipper(r) }

// StrictWriter wraps w so that the response of an unchecked request is
// replaced by 403, like Strict. The returned request carries the state;
// call done after the handler has returned.
func (a *Auth) StrictWriter(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, func()) {
	r, st := withState(r, a)
	if a.IsPublicRequest(r, routeOf(r)) {
		st.checked.Store(true)
	}
	sw := &strictWriter{ResponseWriter: w, st: st, r: r, logger: a.logger}
	return sw, r, func() {
		if !sw.wrote && !sw.refused && !st.checked.Load() {
			sw.refuse()
		}
	}
}

// RunGuard runs check for u as the guard called name and records the
// decision exactly as Guard does (the "authorization guard" record, through
// the logger of the Auth that prepared r; slog.Default() if none did). It
// returns check's error and leaves the response and the checked marker to
// the caller, so adapters keep their own error handling.
func RunGuard(r *http.Request, name string, u *User, check Check) error {
	r, st := withState(r, nil)
	return runGuard(r, st, name, u, check)
}
