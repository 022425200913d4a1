package behaviour

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

// Kind is one check a route's chain can hold.
type Kind int

// The checks of the pipeline, in both frameworks.
const (
	Authenticate          Kind = iota // Auth.Authenticate, echoware.Authenticate
	Authorize                         // Auth.Authorize, echoware.Authorize
	Require                           // Auth.Require(Args...), echoware.Require
	RequireAuthenticated              // the guards, with Args
	RequireAnyGroup                   //
	RequireAllGroups                  //
	RequireAnyPermission              //
	RequireAllPermissions             //
	GuardUnavailable                  // a custom guard whose check cannot answer (ErrUnavailable)
	Public                            // the public marker
)

// Check is one element of a route's chain.
type Check struct {
	Kind Kind
	Args []string
}

// Route is one route of an app: a literal path, or with Prefix every path
// below Path (which ends in "/": net/http's "/p/", echo's "/p/*"), served
// by the handler behind Chain, outermost first.
type Route struct {
	Method, Path string
	Prefix       bool
	Chain        []Check
}

// App is what a Framework serves: Strict outermost when set, then each
// route's chain.
type App struct {
	Auth   *middleware.Auth
	Strict bool
	// Skip is the path the skipper skips ("" for none): the Auth's
	// WithSkipper, and in echo also Config.Skipper, the echo convention.
	Skip   string
	Routes []Route
	// Handled counts the handler's runs.
	Handled *atomic.Int64
}

// Framework serves an App on a real listener and returns its base URL.
type Framework func(t *testing.T, app App) string

// HandlerHeader is set by the handler; a refused response must not carry it.
const HandlerHeader = "X-Handler"

// CheckedHeader tells whether the request counted as checked when the
// handler ran (middleware.Checked).
const CheckedHeader = "X-Checked"

// Handler is the handler behind every route: it counts its runs, sets
// HandlerHeader and CheckedHeader and answers 200 "ok".
func Handler(app App) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		app.Handled.Add(1)
		w.Header().Set(HandlerHeader, "ran")
		w.Header().Set(CheckedHeader, strconv.FormatBool(middleware.Checked(r.Context())))
		_, _ = io.WriteString(w, "ok")
	}
}

// Skipper reports whether the app's skipper skips path.
func (app App) Skipper(path string) bool { return app.Skip != "" && path == app.Skip }

// Given is the configuration of one case.
type Given struct {
	// Teapot builds the Auth WithErrorHandler answering 418 with the
	// status StatusOf gives the error.
	Teapot bool
	Public []string // WithPublic
	Skip   string   // App.Skip
	Strict bool
	Routes []Route
}

// When is the request of one case.
type When struct {
	Method, Path string
	// Token: "" none, "dave" (a viewer with read:posts), "erin" (an
	// editor and viewer with read:posts and write:posts), "down" (whose
	// groups provider fails), "expired", "badsig" (signed with another
	// key), "garbage".
	Token string
}

// Expect is what must come back.
type Expect struct {
	Status int
	// Error is the "error" of the JSON body ("" for no check); with
	// Teapot, Body is the whole body instead.
	Error, Body string
	// Header values that must be present ("" for absent).
	Header map[string]string
	// Handled: whether the handler ran.
	Handled bool
	// Logs are records that must be logged, as "message result" (result
	// "" for records without one); other records may be logged too.
	Logs []string
}

// Case is one line of the table.
type Case struct {
	Name   string
	Given  Given
	When   When
	Expect Expect
}

func route(method, path string, chain ...Check) Route {
	return Route{Method: method, Path: path, Chain: chain}
}

func below(method, path string, chain ...Check) Route {
	return Route{Method: method, Path: path, Prefix: true, Chain: chain}
}

func c(k Kind, args ...string) Check { return Check{Kind: k, Args: args} }

var (
	authz = c(Authorize)
	authn = c(Authenticate)
	// posts is GET and POST /posts behind Authorize.
	posts = []Route{route("GET", "/posts", authz), route("POST", "/posts", authz)}
)

// Cases is the table.
var Cases = []Case{
	// Public routes and the skipper. A public route counts as checked; a
	// skipped one does not. When both match, public wins in both
	// frameworks (see the order in package middleware).
	{"public route, no token", Given{Strict: true, Public: []string{"GET /healthz"}, Routes: []Route{route("GET", "/healthz", authz)}},
		When{"GET", "/healthz", ""}, Expect{Status: 200, Handled: true}},
	{"public route, bad token ignored", Given{Strict: true, Public: []string{"GET /healthz"}, Routes: []Route{route("GET", "/healthz", authz)}},
		When{"GET", "/healthz", "garbage"}, Expect{Status: 200, Handled: true}},
	{"public and skipped: public first", Given{Strict: true, Public: []string{"GET /healthz"}, Skip: "/healthz", Routes: []Route{route("GET", "/healthz", authz)}},
		When{"GET", "/healthz", ""}, Expect{Status: 200, Handled: true}},
	{"public and skipped, not strict: public first, so checked", Given{Public: []string{"GET /healthz"}, Skip: "/healthz", Routes: []Route{route("GET", "/healthz", authz)}},
		When{"GET", "/healthz", ""}, Expect{Status: 200, Handled: true, Header: map[string]string{CheckedHeader: "true"}}},
	{"public and skipped, Authenticate: public first", Given{Public: []string{"GET /healthz"}, Skip: "/healthz", Routes: []Route{route("GET", "/healthz", authn)}},
		When{"GET", "/healthz", ""}, Expect{Status: 200, Handled: true, Header: map[string]string{CheckedHeader: "true"}}},
	{"skipped, not public: not checked", Given{Skip: "/skipped", Routes: []Route{route("GET", "/skipped", authn)}},
		When{"GET", "/skipped", ""}, Expect{Status: 200, Handled: true, Header: map[string]string{CheckedHeader: "false"}}},
	{"skipped, strict: unchecked", Given{Strict: true, Skip: "/skipped", Routes: []Route{route("GET", "/skipped", authz)}},
		When{"GET", "/skipped", ""}, Expect{Status: 403, Error: "forbidden", Header: map[string]string{HandlerHeader: ""}, Handled: true,
			Logs: []string{"strict mode: response without authorization check refused"}}},
	{"skipped, not strict", Given{Skip: "/skipped", Routes: []Route{route("GET", "/skipped", authz)}},
		When{"GET", "/skipped", ""}, Expect{Status: 200, Handled: true}},
	{"skipped, then a guard", Given{Strict: true, Skip: "/skipped", Routes: []Route{route("GET", "/skipped", authz, c(RequireAuthenticated))}},
		When{"GET", "/skipped", "dave"}, Expect{Status: 401, Error: "invalid_token"}},
	// A path declared public is public only on the route declared: served
	// by a pattern that happens to match it (here a catch-all whose check
	// was forgotten), it is unchecked, and strict mode refuses it. Strict
	// runs before net/http's ServeMux routes, so it must judge the route
	// the request was served by, not the path alone; on net/http it let
	// the catch-all's 200 through.
	{"public path served by another route, strict: unchecked", Given{Strict: true, Public: []string{"GET /healthz"}, Routes: []Route{below("GET", "/")}},
		When{"GET", "/healthz", ""}, Expect{Status: 403, Error: "forbidden", Header: map[string]string{HandlerHeader: ""}, Handled: true,
			Logs: []string{"strict mode: response without authorization check refused"}}},
	{"public path with its own public marker", Given{Strict: true, Routes: []Route{route("GET", "/open", c(Public))}},
		When{"GET", "/open", ""}, Expect{Status: 200, Handled: true}},

	// Tokens.
	{"missing token", Given{Strict: true, Routes: posts}, When{"GET", "/posts", ""},
		Expect{Status: 401, Error: "unauthorized", Header: map[string]string{"WWW-Authenticate": "Bearer"}}},
	{"garbage token", Given{Strict: true, Routes: posts}, When{"GET", "/posts", "garbage"},
		Expect{Status: 401, Error: "invalid_token", Header: map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`}}},
	{"token signed by another key", Given{Strict: true, Routes: posts}, When{"GET", "/posts", "badsig"},
		Expect{Status: 401, Error: "invalid_token", Header: map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`}}},
	{"expired token", Given{Strict: true, Routes: posts}, When{"GET", "/posts", "expired"},
		Expect{Status: 401, Error: "invalid_token"}},
	{"missing token, Authenticate", Given{Strict: true, Routes: []Route{route("GET", "/me", authn, c(RequireAuthenticated))}},
		When{"GET", "/me", ""}, Expect{Status: 401, Error: "unauthorized"}},
	{"missing token, Require", Given{Strict: true, Routes: []Route{route("GET", "/r", c(Require, "/posts", "GET"))}},
		When{"GET", "/r", ""}, Expect{Status: 401, Error: "unauthorized"}},

	// Decisions.
	{"allowed", Given{Strict: true, Routes: posts}, When{"GET", "/posts", "dave"},
		Expect{Status: 200, Handled: true, Header: map[string]string{HandlerHeader: "ran", CheckedHeader: "true"}, Logs: []string{"authorization decision allow"}}},
	{"forbidden", Given{Strict: true, Routes: posts}, When{"POST", "/posts", "dave"},
		Expect{Status: 403, Error: "forbidden", Logs: []string{"authorization decision deny"}}},
	{"editor writes", Given{Strict: true, Routes: posts}, When{"POST", "/posts", "erin"},
		Expect{Status: 200, Handled: true, Logs: []string{"authorization decision allow"}}},
	{"provider failure", Given{Strict: true, Routes: posts}, When{"GET", "/posts", "down"},
		Expect{Status: 503, Error: "unavailable", Header: map[string]string{"Retry-After": "5"}, Logs: []string{"authorization decision error"}}},
	{"unsafe path refused", Given{Strict: true, Routes: []Route{below("GET", "/posts/", authz)}}, When{"GET", "/posts/1%0A", "dave"},
		Expect{Status: 403, Error: "forbidden"}},
	{"Require allows", Given{Strict: true, Routes: []Route{route("GET", "/r", c(Require, "/posts", "GET"))}}, When{"GET", "/r", "dave"},
		Expect{Status: 200, Handled: true, Logs: []string{"authorization decision allow"}}},
	{"Require denies", Given{Strict: true, Routes: []Route{route("GET", "/r", c(Require, "/posts", "POST"))}}, When{"GET", "/r", "dave"},
		Expect{Status: 403, Error: "forbidden", Logs: []string{"authorization decision deny"}}},
	{"Require, provider failure", Given{Strict: true, Routes: []Route{route("GET", "/r", c(Require, "/posts", "GET"))}}, When{"GET", "/r", "down"},
		Expect{Status: 503, Error: "unavailable"}},

	// Strict mode.
	{"strict: authenticated but unchecked", Given{Strict: true, Routes: []Route{route("GET", "/forgotten", authn)}},
		When{"GET", "/forgotten", "dave"}, Expect{Status: 403, Error: "forbidden", Header: map[string]string{HandlerHeader: ""}, Handled: true,
			Logs: []string{"strict mode: response without authorization check refused"}}},
	{"strict: no check at all", Given{Strict: true, Routes: []Route{route("GET", "/bare")}},
		When{"GET", "/bare", ""}, Expect{Status: 403, Error: "forbidden", Handled: true}},
	{"not strict: unchecked is served", Given{Routes: []Route{route("GET", "/forgotten", authn)}},
		When{"GET", "/forgotten", "dave"}, Expect{Status: 200, Handled: true}},

	// Guards, each kind, after Authenticate.
	{"guard authenticated", Given{Strict: true, Routes: []Route{route("GET", "/me", authn, c(RequireAuthenticated))}},
		When{"GET", "/me", "dave"}, Expect{Status: 200, Handled: true, Logs: []string{"authorization guard allow"}}},
	{"guard without Authenticate", Given{Strict: true, Routes: []Route{route("GET", "/me", c(RequireAuthenticated))}},
		When{"GET", "/me", "dave"}, Expect{Status: 401, Error: "invalid_token"}},
	{"guard any group allows", Given{Strict: true, Routes: []Route{route("GET", "/g", authn, c(RequireAnyGroup, "admin", "editor"))}},
		When{"GET", "/g", "erin"}, Expect{Status: 200, Handled: true, Logs: []string{"authorization guard allow"}}},
	{"guard any group denies", Given{Strict: true, Routes: []Route{route("GET", "/g", authn, c(RequireAnyGroup, "admin", "editor"))}},
		When{"GET", "/g", "dave"}, Expect{Status: 403, Error: "forbidden", Logs: []string{"authorization guard deny"}}},
	{"guard all groups allows", Given{Strict: true, Routes: []Route{route("GET", "/g", authn, c(RequireAllGroups, "viewer", "editor"))}},
		When{"GET", "/g", "erin"}, Expect{Status: 200, Handled: true}},
	{"guard all groups denies", Given{Strict: true, Routes: []Route{route("GET", "/g", authn, c(RequireAllGroups, "viewer", "editor"))}},
		When{"GET", "/g", "dave"}, Expect{Status: 403, Error: "forbidden"}},
	{"guard all groups, empty list", Given{Strict: true, Routes: []Route{route("GET", "/g", authn, c(RequireAllGroups))}},
		When{"GET", "/g", "erin"}, Expect{Status: 403, Error: "forbidden"}},
	{"guard any permission allows", Given{Strict: true, Routes: []Route{route("GET", "/p", authn, c(RequireAnyPermission, "write:posts", "read:posts"))}},
		When{"GET", "/p", "dave"}, Expect{Status: 200, Handled: true}},
	{"guard any permission denies", Given{Strict: true, Routes: []Route{route("GET", "/p", authn, c(RequireAnyPermission, "write:posts"))}},
		When{"GET", "/p", "dave"}, Expect{Status: 403, Error: "forbidden"}},
	{"guard all permissions allows", Given{Strict: true, Routes: []Route{route("GET", "/p", authn, c(RequireAllPermissions, "write:posts", "read:posts"))}},
		When{"GET", "/p", "erin"}, Expect{Status: 200, Handled: true}},
	{"guard all permissions denies", Given{Strict: true, Routes: []Route{route("GET", "/p", authn, c(RequireAllPermissions, "write:posts", "read:posts"))}},
		When{"GET", "/p", "dave"}, Expect{Status: 403, Error: "forbidden"}},
	{"guard, provider failure", Given{Strict: true, Routes: []Route{route("GET", "/g", authn, c(RequireAnyGroup, "admin"))}},
		When{"GET", "/g", "down"}, Expect{Status: 503, Error: "unavailable", Logs: []string{"authorization guard error"}}},
	{"custom guard unavailable", Given{Strict: true, Routes: []Route{route("GET", "/c", authn, c(GuardUnavailable))}},
		When{"GET", "/c", "dave"}, Expect{Status: 503, Error: "unavailable", Logs: []string{"authorization guard error"}}},
	{"guard refuses an unsafe path", Given{Strict: true, Routes: []Route{below("GET", "/me/", authn, c(RequireAuthenticated))}},
		When{"GET", "/me/1%0A", "dave"}, Expect{Status: 403, Error: "forbidden"}},
	{"guard after Authorize", Given{Strict: true, Routes: []Route{route("GET", "/posts", authz, c(RequireAnyGroup, "editor"))}},
		When{"GET", "/posts", "dave"}, Expect{Status: 403, Error: "forbidden", Logs: []string{"authorization decision allow", "authorization guard deny"}}},

	// One error handler for every refusal, guards included: it answers
	// 418 and names the status StatusOf gives the error.
	{"error handler: guard", Given{Teapot: true, Strict: true, Routes: []Route{route("GET", "/g", authn, c(RequireAnyGroup, "admin"))}},
		When{"GET", "/g", "dave"}, Expect{Status: 418, Body: "teapot 403"}},
	{"error handler: guard without user", Given{Teapot: true, Strict: true, Routes: []Route{route("GET", "/g", c(RequireAnyGroup, "admin"))}},
		When{"GET", "/g", "dave"}, Expect{Status: 418, Body: "teapot 401"}},
	{"error handler: guard unavailable", Given{Teapot: true, Strict: true, Routes: []Route{route("GET", "/g", authn, c(RequireAnyGroup, "admin"))}},
		When{"GET", "/g", "down"}, Expect{Status: 418, Body: "teapot 503"}},
	{"error handler: missing token", Given{Teapot: true, Strict: true, Routes: posts},
		When{"GET", "/posts", ""}, Expect{Status: 418, Body: "teapot 401"}},
	{"error handler: forbidden", Given{Teapot: true, Strict: true, Routes: posts},
		When{"POST", "/posts", "dave"}, Expect{Status: 418, Body: "teapot 403"}},
	{"error handler: Require", Given{Teapot: true, Strict: true, Routes: []Route{route("GET", "/r", c(Require, "/posts", "POST"))}},
		When{"GET", "/r", "dave"}, Expect{Status: 418, Body: "teapot 403"}},
	{"error handler: strict", Given{Teapot: true, Strict: true, Routes: []Route{route("GET", "/forgotten", authn)}},
		When{"GET", "/forgotten", "dave"}, Expect{Status: 418, Body: "teapot 403", Handled: true}},
}

// Run runs every case against the framework serve.
func Run(t *testing.T, serve Framework) {
	keys := newKeys(t)
	for _, tc := range Cases {
		t.Run(tc.Name, func(t *testing.T) {
			logs := &Records{}
			app := App{Auth: keys.auth(t, tc.Given, logs), Strict: tc.Given.Strict, Skip: tc.Given.Skip,
				Routes: tc.Given.Routes, Handled: &atomic.Int64{}}
			base := serve(t, app)
			status, header, body := send(t, tc.When.Method, base+tc.When.Path, keys.token(t, tc.When.Token))
			check(t, tc.Expect, status, header, body, app.Handled.Load() > 0, logs)
		})
	}
}

func check(t *testing.T, want Expect, status int, header http.Header, body string, handled bool, logs *Records) {
	t.Helper()
	if status != want.Status {
		t.Fatalf("status %d, want %d (body %q)", status, want.Status, body)
	}
	if want.Body != "" && body != want.Body {
		t.Errorf("body %q, want %q", body, want.Body)
	}
	if want.Error != "" {
		var b middleware.ErrorBody
		if err := json.Unmarshal([]byte(body), &b); err != nil || b.Error != want.Error || b.RequestID == "" {
			t.Errorf("body %q, want error %q with a request id", body, want.Error)
		}
	}
	for k, v := range want.Header {
		if got := header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if handled != want.Handled {
		t.Errorf("handler ran: %v, want %v", handled, want.Handled)
	}
	got := logs.Summary()
	for _, l := range want.Logs {
		if !containsAll(got, l) {
			t.Errorf("no log record %q in %q", l, got)
		}
	}
}

func containsAll(have []string, want string) bool {
	for _, h := range have {
		if h == want {
			return true
		}
	}
	return false
}

// Records is a slog.Handler that keeps every record.
type Records struct {
	mu   sync.Mutex
	recs []slog.Record
}

// Enabled implements slog.Handler.
func (h *Records) Enabled(context.Context, slog.Level) bool { return true }

// Handle implements slog.Handler.
func (h *Records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}

// WithAttrs implements slog.Handler.
func (h *Records) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup implements slog.Handler.
func (h *Records) WithGroup(string) slog.Handler { return h }

// WithMessage returns the attributes of each record with message msg.
func (h *Records) WithMessage(msg string) []map[string]slog.Value { return h.find(msg, false) }

// Take is WithMessage that also forgets the records it returns.
func (h *Records) Take(msg string) []map[string]slog.Value { return h.find(msg, true) }

func (h *Records) find(msg string, forget bool) []map[string]slog.Value {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]slog.Value
	kept := h.recs[:0]
	for _, r := range h.recs {
		if r.Message != msg {
			kept = append(kept, r)
			continue
		}
		if !forget {
			kept = append(kept, r)
		}
		attrs := map[string]slog.Value{}
		r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value; return true })
		out = append(out, attrs)
	}
	h.recs = kept
	return out
}

// Summary lists the records as "message result" ("message" without one).
func (h *Records) Summary() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.recs {
		s := r.Message
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "result" {
				s += " " + a.Value.String()
			}
			return true
		})
		out = append(out, s)
	}
	return out
}

const (
	issuer   = "https://issuer.example"
	audience = "posts-api"
)

type keys struct {
	hs, other jwttest.Key
	enforcer  *enforcer.Enforcer
}

func newKeys(t *testing.T) keys {
	m, err := models.Load(models.RESTful)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil, enforcer.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(context.Background(),
		enforcer.P("viewer", "/posts", "GET"),
		enforcer.P("editor", "/posts", "POST"),
	); err != nil {
		t.Fatal(err)
	}
	return keys{hs: jwttest.Secret(t), other: jwttest.Secret(t), enforcer: e}
}

// errDown is the failure of the groups provider for the caller "down".
var errDown = errors.New("groups backend down")

func (k keys) auth(t *testing.T, g Given, logs *Records) *middleware.Auth {
	v, err := token.New(context.Background(), token.WithHMACSecret(k.hs.Signer.([]byte)),
		token.WithIssuer(issuer), token.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	claimGroups := token.ClaimGroups("groups")
	groups := warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		if tok.Identity == "down" {
			return nil, errDown
		}
		return claimGroups.Fetch(ctx, tok)
	})
	cp, err := claims.New(claims.WithPermissionsClaim("permissions"))
	if err != nil {
		t.Fatal(err)
	}
	opts := []middleware.Option{middleware.WithVerifier(v), middleware.WithDecider(k.enforcer),
		middleware.WithGroups(groups), middleware.WithPermissions(warden.ProviderFunc(cp.Permissions)), middleware.WithLogger(slog.New(logs)),
		middleware.WithPublic(g.Public...)}
	if g.Skip != "" {
		opts = append(opts, middleware.WithSkipper(func(r *http.Request) bool { return r.URL.Path == g.Skip }))
	}
	if g.Teapot {
		opts = append(opts, middleware.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
			w.WriteHeader(http.StatusTeapot)
			_, _ = io.WriteString(w, "teapot "+strconv.Itoa(middleware.StatusOf(err)))
		}))
	}
	a, err := middleware.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (k keys) token(t *testing.T, who string) string {
	claims := func(sub string, groups, perms []string) jwt.MapClaims {
		return jwt.MapClaims{"iss": issuer, "aud": audience, "sub": sub, "groups": groups, "permissions": perms,
			"iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	}
	switch who {
	case "":
		return ""
	case "garbage":
		return "x.y.z"
	case "dave":
		return k.hs.Sign(t, claims("dave", []string{"viewer"}, []string{"read:posts"}))
	case "erin":
		return k.hs.Sign(t, claims("erin", []string{"editor", "viewer"}, []string{"read:posts", "write:posts"}))
	case "down":
		return k.hs.Sign(t, claims("down", []string{"viewer"}, nil))
	case "badsig":
		return k.other.Sign(t, claims("dave", []string{"viewer"}, nil))
	case "expired":
		c := claims("dave", []string{"viewer"}, nil)
		c["iat"], c["exp"] = time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
		return k.hs.Sign(t, c)
	}
	t.Fatalf("unknown token %q", who)
	return ""
}

func send(t *testing.T, method, url, tok string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = io.Copy(&b, resp.Body)
	return resp.StatusCode, resp.Header, strings.TrimSpace(b.String())
}
