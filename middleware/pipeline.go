package middleware

import (
	"errors"
	"hash/maphash"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/wardenhq/warden/middleware/internal/flow"
)

// The pipeline. Every check of this package, in net/http and (through
// package echoware) in echo, is one step that runs here, in this order:
//
//  1. prepare: the per-request state (request id, checked marker, user)
//     joins the request's context, once per request;
//  2. public (Authenticate, Authorize): a request for a route declared
//     WithPublic counts as checked and goes on unauthenticated;
//  3. skip (Authenticate, Authorize): a request the skipper skips goes on
//     unauthenticated and unchecked;
//  4. authenticate (Authenticate, Authorize, Require): the caller, once per
//     request; a guard takes the caller an earlier step authenticated;
//  5. check: Authorize maps the request and decides, Require decides on
//     its values, a guard runs its check; each refuses a path CheckPath
//     refuses;
//  6. the request counts as checked and goes on.
//
// Public comes before the skipper: a route declared public is a decision
// of the configuration, the skipper only says "not this middleware", so a
// public route answers the same (checked, for strict mode) whether or not
// a skipper also matches it. A step that runs before the router has chosen
// the route (Authorize around a ServeMux, or under echo's e.Pre) lets a
// public path through unauthenticated but does not count it checked:
// strict mode does, when the response goes out, if the route that served
// it is the path declared (see IsPublicRequest). A refusal at any step marks the request
// checked (a refusal is a decision) and is answered by the framework's
// error handler when it has one, else by the Auth's (WithErrorHandler),
// guards included.

// stepKind is what a step checks.
type stepKind uint8

const (
	stepAuthenticate stepKind = iota
	stepAuthorize
	stepRequire
	stepGuard
	stepPublic
	stepStrict
)

// step is one check, built once when a route is wired.
type step struct {
	a      *Auth // nil only for Public
	kind   stepKind
	values []any // Require's values after the subject
	name   string
	check  Check // a guard's
}

// handler is the net/http form of a step, which every check of this
// package returns. It is also a flow.Runner, the form framework adapters
// run.
type handler struct {
	s    *step
	next http.Handler
}

// middleware returns s as net/http middleware.
func (s *step) middleware(next http.Handler) http.Handler { return &handler{s: s, next: next} }

// ServeHTTP runs the step with the request and response of net/http.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := httpExchanges.Get().(*httpExchange)
	*x = httpExchange{w: w, r: r, h: h}
	_ = h.s.run(x)
	*x = httpExchange{}
	httpExchanges.Put(x)
}

// Run implements flow.Runner.
func (h *handler) Run(x flow.Exchange) error { return h.s.run(x) }

// httpExchange is a request of net/http as a flow.Exchange. Exchanges are
// pooled: the pipeline keeps none after the step returns, and the pooled
// value is reset by value, so no field can outlive its request.
type httpExchange struct {
	w http.ResponseWriter
	r *http.Request
	h *handler
}

var httpExchanges = sync.Pool{New: func() any { return new(httpExchange) }}

func (x *httpExchange) Request() *http.Request              { return x.r }
func (x *httpExchange) SetRequest(r *http.Request)          { x.r = r }
func (x *httpExchange) ResponseWriter() http.ResponseWriter { return x.w }
func (x *httpExchange) Writer() http.ResponseWriter         { return x.w }
func (x *httpExchange) SetWriter(w http.ResponseWriter)     { x.w = w }
func (x *httpExchange) Route() string                       { return routeOf(x.r) }
func (x *httpExchange) Skip() bool {
	a := x.h.s.a
	return a != nil && a.skipper != nil && a.skipper(x.r)
}
func (x *httpExchange) Map(string) ([]any, bool, error) { return nil, false, nil }
func (x *httpExchange) Fail(error) (error, bool)        { return nil, false }
func (x *httpExchange) Refused(int)                     {} // net/http records no status of its own
func (x *httpExchange) Next() error {
	x.h.next.ServeHTTP(x.w, x.r)
	return nil
}

// prepare returns the request of x with its state, adding the state once.
func prepare(x flow.Exchange) (*http.Request, *state) {
	r := x.Request()
	if st, ok := stateOf(r.Context()); ok {
		return r, st
	}
	r, st := prepareRequest(r)
	x.SetRequest(r)
	return r, st
}

// run is the pipeline (see the order above).
func (s *step) run(x flow.Exchange) error {
	r, st := prepare(x)
	a := s.a
	switch s.kind {
	case stepPublic:
		st.checked.Store(true)
		return x.Next()
	case stepStrict:
		return a.strict(x, r, st)
	case stepGuard:
		u, ok := UserFrom(r.Context()) // the state's user, unless WithUser put one above it
		if !ok {
			return s.fail(x, st, ErrUnauthenticated)
		}
		u, err := a.reuse(r, u)
		if err != nil {
			return s.fail(x, st, err)
		}
		if err := a.runGuard(r, st, s.name, u, s.check); err != nil {
			return s.fail(x, st, err)
		}
		st.checked.Store(true)
		return x.Next()
	case stepAuthenticate, stepAuthorize:
		if a.hasPublic() {
			if route := x.Route(); a.IsPublicRequest(r, route) {
				// Before routing (route ""), the path is public only if
				// the route that will serve it is its own: strict mode
				// judges that when the response goes out, so it is not
				// marked here.
				if route != "" {
					st.checked.Store(true)
				}
				return x.Next()
			}
		}
		if skipped(x) {
			return x.Next()
		}
	}
	r, u, err := a.authenticate(r, st)
	if err != nil {
		return s.fail(x, st, err)
	}
	var values []any
	switch s.kind {
	case stepAuthenticate:
		return x.Next()
	case stepAuthorize:
		if values, err = a.mapValues(x, r, st, u); err != nil {
			a.logger.LogAttrs(r.Context(), slog.LevelWarn, "authorization mapper failed",
				slog.String("request_id", st.requestID()), slog.String("path", r.URL.Path), slog.String("error", err.Error()))
			return s.fail(x, st, errors.Join(ErrForbidden, err))
		}
	case stepRequire:
		if err := pathCheck(r); err != nil {
			return s.fail(x, st, err)
		}
		values = append(append(make([]any, 0, 1+len(s.values)), u.ID()), s.values...)
	}
	if _, err := a.decideFor(r, st, u, values); err != nil {
		return s.fail(x, st, err)
	}
	st.checked.Store(true)
	return x.Next()
}

// skipped reports whether the skipper skips x. A skipper that panics
// skips nothing: the checks run, which is the closed way to fail.
func skipped(x flow.Exchange) (skip bool) {
	defer func() {
		if recover() != nil {
			skip = false
		}
	}()
	return x.Skip()
}

// fail marks the request decided (a refusal is a decision, so strict mode
// lets it through) and answers err: with the framework's error handler,
// else with the Auth's.
func (s *step) fail(x flow.Exchange, st *state, err error) (ret error) {
	st.checked.Store(true)
	// An error handler is the application's code: one that panics leaves
	// the answer to DefaultErrorHandler, so the refusal is still answered,
	// with no internal text, instead of dropping the connection.
	defer func() {
		if recover() != nil {
			DefaultErrorHandler(x.ResponseWriter(), x.Request(), err)
			ret = nil
		}
	}()
	if ret, ok := s.frameworkFail(x, err); ok {
		return ret
	}
	s.a.answer(x.ResponseWriter(), x.Request(), err)
	return nil
}

// frameworkFail answers err with the framework's error handler, if it has
// one, over an answerWriter beneath the framework's response: a flush
// before any status (echo's Response.Flush reaches the writer beneath
// directly) sends the refusal's status, not an implicit 200.
func (s *step) frameworkFail(x flow.Exchange, err error) (error, bool) {
	w := x.Writer()
	x.SetWriter(&answerWriter{ResponseWriter: w, status: StatusOf(err)})
	defer x.SetWriter(w)
	return x.Fail(err)
}

// answer writes the response of a's error handler, or the default one
// when a is nil. An application's handler that writes nothing gets the
// default answer written after it: a refusal is never a 200.
func (a *Auth) answer(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case a == nil:
		DefaultErrorHandler(w, r, err)
	case !a.customOnError:
		a.onError(w, r, err)
	default:
		aw := &answerWriter{ResponseWriter: w, status: StatusOf(err)}
		a.onError(aw, r, err)
		if aw.code == 0 {
			writeError(w, r, err, a.retryAfter)
		}
	}
}

// safeAnswer is answer for a refusal outside a step (Fail, strict mode): an
// error handler that panics leaves the answer to DefaultErrorHandler, as in
// a step, so the refusal is still answered, with no internal text.
func (a *Auth) safeAnswer(w http.ResponseWriter, r *http.Request, err error) {
	defer func() {
		if recover() != nil {
			DefaultErrorHandler(w, r, err)
		}
	}()
	a.answer(w, r, err)
}

// answerWriter records the status an answer wrote (code, 0 until one is).
// A body written without a status, or a flush before one, would go out as
// 200: status, the refusal's (StatusOf), is written first, so that a
// refusal is never a success. An informational status (103 Early Hints)
// is not the answer's: the writer beneath still sends one after it.
type answerWriter struct {
	http.ResponseWriter
	status int
	code   int
}

func (w *answerWriter) WriteHeader(code int) {
	if w.code == 0 && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Flush writes the refusal's status first, as Write does, then flushes
// the writer beneath (through http.ResponseController, which would
// otherwise reach it through Unwrap and send 200).
func (w *answerWriter) Flush() {
	if w.code == 0 {
		w.WriteHeader(w.status)
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *answerWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.WriteHeader(w.status)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer beneath.
func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Fail answers a refusal found after the checks, in a handler (a provider
// that failed while the handler filtered a list, say), with the Auth's
// error handler, and marks the request decided so that strict mode lets
// the answer through. err should wrap one of the sentinels StatusOf knows.
func (a *Auth) Fail(w http.ResponseWriter, r *http.Request, err error) {
	MarkChecked(r.Context())
	a.safeAnswer(w, r, err)
}

// authenticate returns r with the caller, reusing one an earlier step (or
// WithUser) put there (see reuse).
func (a *Auth) authenticate(r *http.Request, st *state) (*http.Request, *User, error) {
	if u, ok := UserFrom(r.Context()); ok { // the state answers first, unless WithUser put one above it
		u, err := a.reuse(r, u)
		return r, u, err
	}
	if err := a.identify(r, &st.uval); err != nil {
		return r, nil, err
	}
	st.authenticated = true
	return r, &st.uval, nil
}

// reuse returns u, a caller an earlier step or WithUser put in r, as a's
// checks must see it. Each Auth has its own providers, so a caller whose
// providers are not a's was not identified by a:
//
//   - it was never asked of a's role sources: it is asked now, or a token
//     whose identity is a role's name would hold that role's rules in a's
//     decisions;
//
//   - when another Auth identified it (its steps, or its Identify), a's
//     checks see the same token with a's own providers: its groups
//     and permissions are what a is configured to read, never the other
//     Auth's (a groups claim that an Authenticate reads must not stand in
//     for the database groups of the Authorize behind it). The other
//     Auth's caller, which the handler sees, is left as it is.
//
//   - when that Auth authenticates with another authenticator (another
//     verifier, API keys), the credentials it accepted are not a's: a
//     authenticates the request itself, and refuses it unless it finds
//     the same identity, so that a token for another audience, or an API
//     key, never stands in for the credentials a requires.
//
// A caller NewUser made keeps the providers it was made with: the
// application chose them.
func (a *Auth) reuse(r *http.Request, u *User) (*User, error) {
	if u.prov == a.prov {
		return u, nil
	}
	if p := u.providers(); p.auth && !sameAuthenticator(p.authn, a.authn) {
		own := new(User)
		if err := a.identify(r, own); err != nil {
			return nil, err
		}
		if own.ID() != u.ID() {
			return nil, errors.Join(ErrUnauthenticated, errOtherCaller)
		}
		return own, nil
	}
	if err := a.checkCaller(r, u.ID()); err != nil {
		return nil, err
	}
	if u.providers().auth { // another Auth identified it (its state's user, or Identify's)
		own := new(User)
		own.init(u.tok, u.owned.Load() == u.tok, u.memo, a.prov)
		return own, nil
	}
	return u, nil
}

// errOtherCaller: the Auth's authenticator identifies another caller than
// the one an Auth with another authenticator put in the request.
var errOtherCaller = errors.New("middleware: the request's credentials identify another caller than the earlier authenticator's")

// sameAuthenticator reports whether x and y are one authenticator (Bearer
// of one verifier, one *APIKeys). An authenticator that cannot be compared
// (a FirstOf, an AuthenticatorFunc) is not known to be the same: its type
// says so, without the cost of the panic comparing it would be.
func sameAuthenticator(x, y Authenticator) (same bool) {
	if t := reflect.TypeOf(x); t == nil || t != reflect.TypeOf(y) || !t.Comparable() {
		return false
	}
	defer func() { // a comparable type holding an uncomparable value
		if recover() != nil {
			same = false
		}
	}()
	return x == y
}

// mapValues returns the enforcer's values for the request: the
// framework's mapper, else the Auth's. The default mapper writes them into
// the state, which the request owns.
func (a *Auth) mapValues(x flow.Exchange, r *http.Request, st *state, u *User) (values []any, err error) {
	// A mapper is the application's code: one that panics maps nothing,
	// and the request is refused (403) instead of dropped.
	defer func() {
		if recover() != nil {
			values, err = nil, errMapperPanic
		}
	}()
	if values, ok, err := x.Map(u.ID()); ok {
		return values, err
	}
	if !a.defaultMapper {
		return a.mapper(r, u.ID())
	}
	if err := CheckPath(r.URL); err != nil {
		return nil, err
	}
	st.vals = [3]any{u.boxedID(), a.paths.box(r.URL.Path), method(r.Method)}
	return st.vals[:], nil
}

// errMapperPanic stands for a mapper that panicked.
var errMapperPanic = errors.New("middleware: mapper panicked")

// Boxing. The enforcer takes its values as []any, and putting a string in
// an interface allocates a copy of its header. The default mapper's three
// values are boxed without allocating in the common case: the standard
// methods once for all, the identity as the token's own "sub" claim
// already holds it, and paths through a bounded table of boxed paths.

// The standard methods as interface values, boxed once.
var (
	boxedGet, boxedHead, boxedPost, boxedPut, boxedPatch, boxedDelete any = http.MethodGet, http.MethodHead,
		http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
	boxedConnect, boxedOptions, boxedTrace any = http.MethodConnect, http.MethodOptions, http.MethodTrace
)

// method boxes m: a switch, cheaper than hashing m in a map.
func method(m string) any {
	switch m {
	case http.MethodGet:
		return boxedGet
	case http.MethodHead:
		return boxedHead
	case http.MethodPost:
		return boxedPost
	case http.MethodPut:
		return boxedPut
	case http.MethodPatch:
		return boxedPatch
	case http.MethodDelete:
		return boxedDelete
	case http.MethodConnect:
		return boxedConnect
	case http.MethodOptions:
		return boxedOptions
	case http.MethodTrace:
		return boxedTrace
	}
	return m
}

// boxedID returns the identity as an interface value: the token's "sub"
// claim when it is the identity (the default identity claim), which the
// claims map holds boxed already.
func (u *User) boxedID() any {
	if v, ok := u.tok.Claims["sub"]; ok {
		if s, isString := v.(string); isString && s == u.tok.Identity {
			return v
		}
	}
	return u.tok.Identity
}

// boxes is a bounded table of boxed strings. A boxed string is immutable,
// so one box serves every request whose path is that string. Paths are the
// caller's choice: the table keeps only short ones, in a fixed number of
// slots, each holding the last string boxed there (its slot is chosen by
// a seeded hash of the string, and a hit compares the whole string), so
// that a stream of distinct paths costs each its allocation and evicts
// others, and the table never grows. A hit is one hash and one atomic
// load, where a sync.Map cost several times that.
type boxes struct {
	slots atomic.Pointer[boxSlots] // made on first use
}

// boxSlots are the slots, each an atomic.Value holding a boxed string.
type boxSlots struct {
	seed maphash.Seed
	v    [nBoxSlots]atomic.Value
}

const (
	nBoxSlots  = 2048 // a power of two
	maxBoxSize = 256
)

func (b *boxes) box(s string) any {
	if len(s) > maxBoxSize {
		return s
	}
	t := b.slots.Load()
	if t == nil {
		t = &boxSlots{seed: maphash.MakeSeed()}
		if !b.slots.CompareAndSwap(nil, t) {
			t = b.slots.Load()
		}
	}
	slot := &t.v[maphash.String(t.seed, s)&(nBoxSlots-1)]
	if v := slot.Load(); v != nil && v.(string) == s {
		return v
	}
	var v any = s
	slot.Store(v)
	return v
}
