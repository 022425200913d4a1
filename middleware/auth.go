package middleware

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware/token"
)

// Mapper turns a request into the enforcer's request values. The default is
// (subject, r.URL.Path, r.Method). An error denies the request (403).
type Mapper func(r *http.Request, subject string) ([]any, error)

// DefaultMapper maps a request to (subject, path, method). The path is the
// decoded r.URL.Path, and only when CheckPath accepts it: for any other
// spelling (/%61dmin/x) it returns ErrAmbiguousPath, for a control
// character, invalid UTF-8 or a dot segment (/posts/1%0A) ErrUnsafePath, so
// the request is refused (403). The enforcer thus always sees the path the
// router used, whichever router it is, and a policy on /admin/* cannot be
// sidestepped by escaping. APIs whose paths legitimately carry escapes (an
// id with %2F) should map from the route that served them instead, with
// WithMapper.
func DefaultMapper(r *http.Request, subject string) ([]any, error) {
	if err := CheckPath(r.URL); err != nil {
		return nil, err
	}
	return []any{subject, r.URL.Path, r.Method}, nil
}

// Auth holds one configuration of authentication and authorization. Its
// methods are net/http middleware; package echoware adapts it to echo.
type Auth struct {
	authn   Authenticator
	sharing sharingAuthenticator // authn, when it is one (else nil)
	decider enforcer.Decider
	// ownDecider: the decider is Warden's *enforcer.Enforcer, which never
	// modifies Request.Groups (it is handed groups kept with a cached token).
	ownDecider   bool
	groups       []warden.GroupsProvider
	perms        []warden.PermissionsProvider
	prov         *providers // groups and perms, as each User holds them
	permPolicies bool
	mapper       Mapper
	// defaultMapper: mapper is DefaultMapper, which the pipeline runs
	// into the request's state instead of a new slice.
	defaultMapper bool
	skipper       func(*http.Request) bool
	public        map[string]struct{}
	onError       ErrorHandler
	retryAfter    time.Duration
	logger        *slog.Logger
	decisionLog   *sampler // nil: every decision is logged
	// directLog is logger's handler when the decision records can be
	// written to it directly (NewJSONHandler), else nil.
	directLog *jsonHandler
	// roles are asked whether an identity is a role (see WithRoleSources);
	// rolesSet records that they were configured, not defaulted.
	roles          []RoleSource
	rolesSet       bool
	roleIdentities bool
	paths          boxes // the default mapper's boxed paths
	authnErr       error // why the last authenticator option set none
	customOnError  bool  // onError is the application's (WithErrorHandler)
	// definition is the request, policy, effect and matcher definitions
	// every decision asks for (WithDefinition); zero for r, p, e, m.
	definition enforcer.Definition
}

// Option configures an Auth.
type Option func(*Auth)

// WithAuthenticator sets how callers are authenticated (required, unless
// WithVerifier is used).
func WithAuthenticator(a Authenticator) Option { return func(x *Auth) { x.authn, x.authnErr = a, nil } }

// WithVerifier authenticates bearer JWTs with v. A nil v makes New fail: a
// verifier whose construction failed (its error ignored) would otherwise
// refuse every request, found only on the first one.
func WithVerifier(v *token.Verifier) Option {
	return func(x *Auth) {
		if v == nil {
			x.authn, x.authnErr = nil, errors.New("middleware: WithVerifier: the verifier is nil")
			return
		}
		x.authn, x.authnErr = Bearer(v), nil
	}
}

// WithDecider sets the enforcer Authorize and Require ask. An Auth without
// one only authenticates (Authenticate, guards): Authorize and Require panic
// when wired on it, rather than answer 403 to every request.
func WithDecider(d enforcer.Decider) Option { return func(x *Auth) { x.decider = d } }

// WithDefinition makes every decision of the Auth use the model's
// definitions d (Request.Definition: enforcer.Definitions("2") is r2, p2,
// e2, m2, as Casbin's EnforceContext). Routes that need another definition
// use another Auth, which may share the verifier and the decider. A
// definition the model lacks fails each decision with 403.
func WithDefinition(d enforcer.Definition) Option { return func(x *Auth) { x.definition = d } }

// WithGroups adds providers of request-scoped groups, such as
// token.ClaimGroups("groups"). Their union goes into Request.Groups.
func WithGroups(p ...warden.GroupsProvider) Option {
	return func(x *Auth) { x.groups = append(x.groups, p...) }
}

// WithPermissions adds providers of the caller's permission strings, for
// permission guards and User.Permissions.
func WithPermissions(p ...warden.PermissionsProvider) Option {
	return func(x *Auth) { x.perms = append(x.perms, p...) }
}

// WithPermissionPolicies makes Authorize pass the caller's permissions to
// the decider as request-scoped "p" rules (permission.Policies), for the
// permissions model.
func WithPermissionPolicies() Option { return func(x *Auth) { x.permPolicies = true } }

// WithMapper replaces DefaultMapper.
func WithMapper(m Mapper) Option { return func(x *Auth) { x.mapper, x.defaultMapper = m, false } }

// WithSkipper skips authentication and authorization for requests it
// returns true for. A skipped request is not marked checked: under strict
// mode it still needs a guard or Public.
func WithSkipper(s func(*http.Request) bool) Option { return func(x *Auth) { x.skipper = s } }

// WithPublic declares public routes, as "METHOD /path" or "/path" (any
// method), matched exactly against r.URL.Path. They skip authentication and
// count as checked. A request counts as public only when its path is
// spelled canonically and, once routed, the route that serves it is that
// literal path (see IsPublicRequest): /%68ealthz, or /healthz served by a
// /{slug} route, is not public.
func WithPublic(routes ...string) Option {
	return func(x *Auth) {
		for _, r := range routes {
			x.public[r] = struct{}{}
		}
	}
}

// WithErrorHandler replaces DefaultErrorHandler.
//
// A handler that writes nothing (it only logs, say) would leave the refusal
// answered 200 with an empty body: the default answer is written then.
func WithErrorHandler(h ErrorHandler) Option {
	return func(x *Auth) { x.onError, x.customOnError = h, h != nil }
}

// WithLogger sets the decision log (slog.Default(), also for a nil l). With
// a logger of NewJSONHandler, the decision records are written directly, at
// a third of their cost through slog's JSON handler, in the same bytes. A
// handler, or a writer beneath it, that panics loses its line: the request
// is answered as without it.
func WithLogger(l *slog.Logger) Option { return func(x *Auth) { x.logger = l } }

// WithRetryAfter sets the Retry-After of 503 responses (DefaultRetryAfter).
func WithRetryAfter(d time.Duration) Option { return func(x *Auth) { x.retryAfter = d } }

// New returns an Auth. It fails without an authenticator. A decider is
// optional, for Auths that only authenticate; Authorize and Require check
// for it when they are wired.
func New(opts ...Option) (*Auth, error) {
	a := &Auth{mapper: DefaultMapper, defaultMapper: true, public: map[string]struct{}{}, retryAfter: DefaultRetryAfter, logger: slog.Default()}
	for _, o := range opts {
		o(a)
	}
	if a.mapper == nil {
		a.mapper, a.defaultMapper = DefaultMapper, true
	}
	a.directLog = directLog(a.logger)
	a.logger = recovering(a.logger)
	a.prov = newProviders(a.groups, a.perms)
	a.prov.auth = true
	if a.authnErr != nil {
		return nil, a.authnErr
	}
	if a.authn == nil {
		return nil, errors.New("middleware: no authenticator: use WithVerifier or WithAuthenticator")
	}
	a.prov.authn = a.authn
	a.sharing, _ = a.authn.(sharingAuthenticator)
	_, a.ownDecider = a.decider.(*enforcer.Enforcer)
	if rs, ok := a.decider.(RoleSource); ok && !a.rolesSet {
		a.roles = []RoleSource{rs}
	}
	if a.onError == nil {
		retry := a.retryAfter
		a.onError = func(w http.ResponseWriter, r *http.Request, err error) { writeError(w, r, err, retry) }
	}
	return a, nil
}

// IsPublic reports whether method and path are declared WithPublic. It is a
// plain lookup: middleware uses IsPublicRequest, which also checks that the
// router cannot have served another route.
func (a *Auth) IsPublic(method, path string) bool {
	if len(a.public) == 0 {
		return false
	}
	if _, ok := a.public[path]; ok {
		return true
	}
	_, ok := a.public[method+" "+path]
	return ok
}

// Authenticate is middleware that verifies the caller and puts the User in
// the request context. It answers 401 (or 503 when keys are unavailable)
// and does not authorize: combine it with Authorize or guards. A route
// declared WithPublic goes through unauthenticated and checked, one the
// skipper skips unauthenticated and unchecked (see the order in
// pipeline.go: public first).
func (a *Auth) Authenticate(next http.Handler) http.Handler {
	if a == nil {
		panic("middleware: Authenticate on a nil *Auth")
	}
	return (&step{a: a, kind: stepAuthenticate}).middleware(next)
}

// Identify authenticates r and returns its User without touching the
// response. The error wraps ErrUnauthenticated or ErrUnavailable, or
// ErrForbidden and ErrRoleIdentity when the identity is a role's name (see
// WithRoleSources and WithRoleIdentities).
func (a *Auth) Identify(r *http.Request) (*User, error) {
	u := new(User)
	if err := a.identify(r, u); err != nil {
		return nil, err
	}
	return u, nil
}

// identify is Identify into u, which the request's state holds.
func (a *Auth) identify(r *http.Request, u *User) error {
	tok, shared, memo, err := safeAuthenticate(r.Context(), a.authn, a.sharing, r)
	switch {
	case err == errAuthenticatorPanic: //nolint:errorlint // the sentinel itself, never wrapped
		a.logger.LogAttrs(r.Context(), slog.LevelWarn, "authentication unavailable",
			slog.String("request_id", RequestID(r.Context())), slog.String("error", err.Error()))
		return errors.Join(ErrUnavailable, err)
	case errors.Is(err, token.ErrKeysUnavailable):
		a.logger.LogAttrs(r.Context(), slog.LevelWarn, "authentication unavailable",
			slog.String("request_id", RequestID(r.Context())), slog.String("error", err.Error()))
		return errors.Join(ErrUnavailable, err)
	case err != nil:
		if a.logger.Enabled(r.Context(), slog.LevelInfo) {
			a.logger.LogAttrs(r.Context(), slog.LevelInfo, "authentication failed",
				slog.String("request_id", RequestID(r.Context())), slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		}
		return errors.Join(ErrUnauthenticated, err)
	case tok == nil || tok.Identity == "":
		return ErrUnauthenticated
	}
	if err := a.checkCaller(r, tok.Identity); err != nil {
		return err
	}
	u.init(tok, !shared, memo, a.prov)
	return nil
}

// checkCaller is checkIdentity for r's caller id, logging a refusal.
func (a *Auth) checkCaller(r *http.Request, id string) error {
	if err := a.checkIdentity(r.Context(), id); err != nil {
		a.logger.LogAttrs(r.Context(), slog.LevelWarn, "identity refused",
			slog.String("request_id", RequestID(r.Context())), slog.String("subject", id), slog.String("error", err.Error()))
		return err
	}
	return nil
}

// Authorize is middleware that authenticates the caller (unless Authenticate
// already did) and asks the decider about every request, with the values of
// the Mapper and the caller's request-scoped groups (and, with
// WithPermissionPolicies, permissions). Public routes and the skipper are
// handled as by Authenticate. A caller another Auth identified (an outer
// Authenticate) is asked of a's role sources and decided with a's own
// providers, and, when that Auth's authenticator is not a's, the request is
// authenticated again by a's, which must find the same identity; the
// handler still sees that Auth's caller.
//
// It panics when a has no decider (WithDecider): a route wired to a check
// that can never allow is a programming error, caught at start-up.
func (a *Auth) Authorize(next http.Handler) http.Handler {
	a.mustDecide("Authorize")
	return (&step{a: a, kind: stepAuthorize}).middleware(next)
}

// Decider returns the configured decider, nil without WithDecider.
func (a *Auth) Decider() enforcer.Decider { return a.decider }

// mustDecide panics, naming the middleware, when a has no decider.
func (a *Auth) mustDecide(what string) {
	if a == nil {
		panic("middleware: " + what + " on a nil *Auth")
	}
	if a.decider == nil {
		panic("middleware: " + what + " needs a decider: build the Auth with WithDecider")
	}
}
