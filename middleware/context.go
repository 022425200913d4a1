package middleware

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
)

// ctxKey keys this package's context values; it is unexported so no other
// package can read or forge them except through the getters below.
type ctxKey int

const (
	stateKey ctxKey = iota
	userKey
)

// state is the per-request record shared by the checks, the guards and the
// strict writer. It is itself the context node that carries it (it embeds
// the parent context and answers stateKey and userKey), and it holds the
// user, the default mapper's values and the strict writer inline, and is
// allocated with the request that carries it (see prepared), so that a
// request costs one allocation for all of them. A state is never reused:
// a handler may keep the request's context (a goroutine it started) after
// the response, and must never see another request's user through it.
type state struct {
	context.Context
	id      string // the request id, made on first use
	idMu    sync.Mutex
	checked atomic.Bool
	swSet   bool
	// authenticated: uval is the caller, whom this package authenticated.
	authenticated bool
	uval          User
	vals          [3]any
	sw            strictWriter
}

// prepared is a request's state and the request that carries it, made
// in one allocation: the request is what r.WithContext(&st) returns,
// copied here (WithContext is inlined, so its own copy stays on the
// stack).
type prepared struct {
	st  state
	req http.Request
}

// Value answers the keys of this package and passes every other key on.
func (st *state) Value(key any) any {
	switch key {
	case stateKey:
		return st
	case userKey:
		if st.authenticated {
			return &st.uval
		}
	}
	return st.Context.Value(key)
}

// stateOf returns r's state, if a check of this package has prepared r.
func stateOf(ctx context.Context) (*state, bool) {
	st, ok := ctx.Value(stateKey).(*state)
	return st, ok
}

// prepareRequest returns r with its state in the context, taking
// X-Request-Id when it is safe to log (the random id of the others is
// made only when something needs it).
func prepareRequest(r *http.Request) (*http.Request, *state) {
	p := new(prepared)
	p.st.Context = r.Context()
	if v := r.Header["X-Request-Id"]; len(v) > 0 && v[0] != "" && len(v[0]) <= 128 && printable(v[0]) { // Header.Get, without canonicalising a canonical key
		p.st.id = v[0]
	}
	p.req = *r.WithContext(&p.st)
	return &p.req, &p.st
}

// requestID returns the request's id, making a random one on first use.
func (st *state) requestID() string {
	st.idMu.Lock()
	defer st.idMu.Unlock()
	if st.id == "" {
		// An id must be unique, not secret: math/rand/v2's generator (the
		// runtime's ChaCha8, seeded from the system) costs nanoseconds,
		// where crypto/rand's system call cost a logged decision a third
		// of its time.
		var b [12]byte
		binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
		binary.LittleEndian.PutUint32(b[8:], rand.Uint32())
		st.id = hex.EncodeToString(b[:])
	}
	return st.id
}

// MarkChecked records that the request was authorized by some means this
// package does not see (a custom check). Strict mode then lets its response
// through. Use it only after a real check.
func MarkChecked(ctx context.Context) {
	if st, ok := stateOf(ctx); ok {
		st.checked.Store(true)
	}
}

// Checked reports whether a decision, guard or public marker was recorded
// for the request.
func Checked(ctx context.Context) bool {
	st, ok := stateOf(ctx)
	return ok && st.checked.Load()
}

// RequestID returns the request's id: the caller's X-Request-Id when it is
// short and printable, otherwise a random one. It is empty outside the
// middleware.
func RequestID(ctx context.Context) string {
	if st, ok := stateOf(ctx); ok {
		return st.requestID()
	}
	return ""
}

// UserFrom returns the authenticated caller, if any. A User that holds no
// token with an identity (a zero User, NewUser of a nil token) is none.
func UserFrom(ctx context.Context) (*User, bool) {
	u, ok := ctx.Value(userKey).(*User)
	return u, ok && u.identified()
}

// WithUser returns ctx carrying u, for code that authenticates by other
// means; handlers read the user with UserFrom, and the checks of this
// package take it as the caller.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// Detach returns a context with ctx's values, deadline and cancellation,
// but without this package's request state and caller. A request that an
// application serves in-process under the request's context (a batch
// endpoint that runs each part through its router, say) would otherwise
// share the outer request's state: its caller, its request id and its
// checked marker. Strict mode would then let an unchecked part through
// because the outer request was checked, and the outer response through
// because a part was. Under Detach's context the part is a request of its
// own to this package's checks: they authenticate it from its own
// Authorization header, decide it, and strict mode judges it, provided
// the part is served through the handler Strict wraps (a part handed to
// the router beneath Strict is judged by nothing). WithUser(Detach(ctx), u)
// hands it a caller on purpose. Like context.WithValue, it panics on a nil
// ctx.
func Detach(ctx context.Context) context.Context {
	if ctx == nil {
		panic("middleware: Detach of a nil context")
	}
	return detached{ctx}
}

// detached hides this package's keys (ctxKey) from the contexts above it.
type detached struct{ context.Context }

func (d detached) Value(key any) any {
	if _, ours := key.(ctxKey); ours {
		return nil
	}
	return d.Context.Value(key)
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
