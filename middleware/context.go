package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// ctxKey keys this package's context values; it is unexported so no other
// package can read or forge them except through the getters below.
type ctxKey int

const (
	stateKey ctxKey = iota
	userKey
)

// state is the per-request record shared by the middleware, the guards and
// the strict writer.
type state struct {
	checked    atomic.Bool
	requestID  string
	onError    ErrorHandler
	retryAfter time.Duration
	logger     *slog.Logger
	sampled    *sampler // decision and guard records; nil: all
}

// withState returns r with a state, creating one when no middleware ran
// before. a may be nil (a guard or Public used alone).
func withState(r *http.Request, a *Auth) (*http.Request, *state) {
	if st, ok := r.Context().Value(stateKey).(*state); ok {
		if a != nil && st.onError == nil {
			st.onError, st.retryAfter, st.logger, st.sampled = a.onError, a.retryAfter, a.logger, a.decisionLog
		}
		return r, st
	}
	st := &state{requestID: requestIDOf(r), retryAfter: DefaultRetryAfter, logger: slog.Default()}
	if a != nil {
		st.onError, st.retryAfter, st.logger, st.sampled = a.onError, a.retryAfter, a.logger, a.decisionLog
	}
	return r.WithContext(context.WithValue(r.Context(), stateKey, st)), st
}

// fail marks the request as decided (a refusal is a decision, so strict mode
// lets it through) and writes the error response.
func (st *state) fail(w http.ResponseWriter, r *http.Request, err error) {
	st.checked.Store(true)
	if st.onError != nil {
		st.onError(w, r, err)
		return
	}
	writeError(w, r, err, st.retryAfter)
}

// MarkChecked records that the request was authorized by some means this
// package does not see (a custom check). Strict mode then lets its response
// through. Use it only after a real check.
func MarkChecked(ctx context.Context) {
	if st, ok := ctx.Value(stateKey).(*state); ok {
		st.checked.Store(true)
	}
}

// Checked reports whether a decision, guard or public marker was recorded
// for the request.
func Checked(ctx context.Context) bool {
	st, ok := ctx.Value(stateKey).(*state)
	return ok && st.checked.Load()
}

// RequestID returns the request's id: the caller's X-Request-Id when it is
// short and printable, otherwise a random one. It is empty outside the
// middleware.
func RequestID(ctx context.Context) string {
	if st, ok := ctx.Value(stateKey).(*state); ok {
		return st.requestID
	}
	return ""
}

// UserFrom returns the authenticated caller, if any.
func UserFrom(ctx context.Context) (*User, bool) {
	u, ok := ctx.Value(userKey).(*User)
	return u, ok && u != nil
}

// WithUser returns ctx carrying u. Framework adapters use it; handlers read
// the user with UserFrom.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// requestIDOf takes X-Request-Id when it is safe to log, or makes one.
func requestIDOf(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 && printable(id) {
		return id
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
