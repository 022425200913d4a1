package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// A guard check or a mapper is the application's code on the decision
// path. One that panics is an unknown result: the request must be refused
// with an answer (never reach the handler, never a dropped connection, the
// panic's text never in the body), as a panicking provider is.
func TestPanickingCheckOrMapperRefuses(t *testing.T) {
	key := hmacKey(t)
	e := newEnforcer(t, "rbac")
	newAuth := func(opts ...middleware.Option) *middleware.Auth {
		a, err := middleware.New(append([]middleware.Option{
			middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
			middleware.WithDecider(e), middleware.WithLogger(discard()),
		}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	reached := false
	final := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })
	guarded := newAuth()
	mapped := newAuth(middleware.WithMapper(func(*http.Request, string) ([]any, error) { panic("secret-mapper-panic") }))
	for name, h := range map[string]http.Handler{
		"guard":  guarded.Authenticate(guarded.Guard("boom", func(context.Context, *middleware.User) error { panic("secret-guard-panic") })(final)),
		"mapper": mapped.Authorize(final),
	} {
		t.Run(name, func(t *testing.T) {
			reached = false
			req := httptest.NewRequest("GET", "/x", nil)
			req.Header = bearer(key.Sign(t, claimsFor("alice")))
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("the panic %v left the middleware: the connection is dropped instead of refused", p)
					}
				}()
				h.ServeHTTP(rec, req)
			}()
			if reached || rec.Code < 400 || strings.Contains(rec.Body.String(), "secret") {
				t.Fatalf("reached %v, status %d, body %q; want a refusal without the panic's text", reached, rec.Code, rec.Body)
			}
		})
	}
}

// A skipper or an error handler that panics is the application's code
// too. A panicking skipper skips nothing (the checks run, so a request
// without a token is refused); a panicking error handler leaves the answer
// to DefaultErrorHandler. Either way the request is refused with an
// answer, never dropped, and never reaches the handler.
func TestPanickingSkipperOrErrorHandlerRefuses(t *testing.T) {
	key := hmacKey(t)
	for name, opt := range map[string]middleware.Option{
		"skipper":       middleware.WithSkipper(func(*http.Request) bool { panic("secret-skipper-panic") }),
		"error handler": middleware.WithErrorHandler(func(http.ResponseWriter, *http.Request, error) { panic("secret-handler-panic") }),
	} {
		t.Run(name, func(t *testing.T) {
			a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
				middleware.WithDecider(newEnforcer(t, "rbac")), middleware.WithLogger(discard()), opt)
			if err != nil {
				t.Fatal(err)
			}
			reached := false
			h := a.Authorize(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("the panic %v left the middleware: the connection is dropped instead of refused", p)
					}
				}()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil)) // no token
			}()
			if reached || rec.Code != http.StatusUnauthorized || strings.Contains(rec.Body.String(), "secret") {
				t.Fatalf("reached %v, status %d, body %q; want 401 without the panic's text", reached, rec.Code, rec.Body)
			}
		})
	}
}

// Strict mode answers an unchecked response with the error handler; one
// that panics there leaves the answer to DefaultErrorHandler, so the
// unchecked response is still refused, with an answer.
func TestStrictPanickingErrorHandlerRefuses(t *testing.T) {
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithLogger(discard()),
		middleware.WithErrorHandler(func(http.ResponseWriter, *http.Request, error) { panic("secret-handler-panic") }))
	if err != nil {
		t.Fatal(err)
	}
	h := a.Strict(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("unchecked-data")) }))
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("the panic %v left the middleware", p)
			}
		}()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	}()
	if body := rec.Body.String(); rec.Code < 400 || strings.Contains(body, "secret") || strings.Contains(body, "unchecked-data") {
		t.Fatalf("status %d, body %q; want a refusal without the data or the panic's text", rec.Code, body)
	}
}

// panickingDecider is a decider of the application's (a remote PDP's
// client, a wrapper around the enforcer) that panics.
type panickingDecider struct{}

func (panickingDecider) Decide(context.Context, enforcer.Request) (enforcer.Decision, error) {
	panic("secret-decider-panic")
}

// panickingRoles is a role source that panics.
type panickingRoles struct{}

func (panickingRoles) IsRole(context.Context, string) (bool, error) { panic("secret-roles-panic") }

// An Authenticator (WithAuthenticator, FirstOf), a role source
// (WithRoleSources) and a decider (WithDecider) can be the application's
// code on the decision path too. One that panics is an unknown result:
// 503, answered, never a dropped connection, never the handler, never the
// panic's text, on Authenticate, Authorize, Require and Identify alike.
// Before, each of them left the middleware with the panic.
func TestPanickingAuthenticatorRoleSourceOrDeciderRefuses(t *testing.T) {
	key := hmacKey(t)
	tok := key.Sign(t, claimsFor("alice"))
	e := newEnforcer(t, "rbac", enforcer.P("alice", "/x", "GET"))
	panicking := middleware.AuthenticatorFunc(func(context.Context, *http.Request) (*warden.Token, error) {
		panic("secret-authenticator-panic")
	})
	verifier := middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte))))
	for _, c := range []struct {
		name string
		opts []middleware.Option
	}{
		{"authenticator", []middleware.Option{middleware.WithAuthenticator(panicking), middleware.WithDecider(e)}},
		{"authenticator in FirstOf", []middleware.Option{middleware.WithAuthenticator(middleware.FirstOf(panicking)), middleware.WithDecider(e)}},
		{"role source", []middleware.Option{verifier, middleware.WithDecider(e), middleware.WithRoleSources(panickingRoles{})}},
		{"decider", []middleware.Option{verifier, middleware.WithDecider(panickingDecider{})}},
	} {
		a, err := middleware.New(append(c.opts, middleware.WithLogger(discard()))...)
		if err != nil {
			t.Fatal(err)
		}
		reached := false
		final := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })
		chains := map[string]http.Handler{
			"Authorize": a.Authorize(final),
			"Require":   a.Require("/x", "GET")(final),
		}
		if c.name != "decider" { // Authenticate decides nothing
			chains["Authenticate"] = a.Authenticate(final)
			chains["Identify"] = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, err := a.Identify(r); err != nil {
					a.Fail(w, r, err)
					return
				}
				reached = true
			})
		}
		for chain, h := range chains {
			t.Run(c.name+"/"+chain, func(t *testing.T) {
				reached = false
				req := httptest.NewRequest("GET", "/x", nil)
				req.Header = bearer(tok)
				rec := httptest.NewRecorder()
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("the panic %v left the middleware: the connection is dropped instead of refused", p)
						}
					}()
					h.ServeHTTP(rec, req)
				}()
				if reached || rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "secret") {
					t.Fatalf("reached %v, status %d, body %q; want 503 without the panic's text", reached, rec.Code, rec.Body)
				}
			})
		}
	}
}

// A nil verifier (token.New failed and its error was dropped) is refused
// when the Auth is built, not found as a refusal of every request. Before,
// New accepted it and every request dereferenced it.
func TestNewRefusesNilVerifier(t *testing.T) {
	if _, err := middleware.New(middleware.WithVerifier(nil), middleware.WithLogger(discard())); err == nil {
		t.Fatal("New accepted WithVerifier(nil)")
	}
	// A later authenticator option replaces it, as options do.
	key := hmacKey(t)
	if _, err := middleware.New(middleware.WithVerifier(nil),
		middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte))))); err != nil {
		t.Fatalf("a verifier after a nil one: %v", err)
	}
}

// An error handler that writes nothing (it only logs) must not turn a
// refusal into a 200 with an empty body: the default answer is written
// after it, for a refused check and for strict mode's refusal alike.
// Before, both went out as 200.
func TestSilentErrorHandlerStillRefuses(t *testing.T) {
	key := hmacKey(t)
	var handled int
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(newEnforcer(t, "rbac")), middleware.WithLogger(discard()),
		middleware.WithErrorHandler(func(http.ResponseWriter, *http.Request, error) { handled++ }))
	if err != nil {
		t.Fatal(err)
	}
	final := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("data")) })
	for name, c := range map[string]struct {
		h    http.Handler
		want int
	}{
		"Authorize without a token": {a.Authorize(final), http.StatusUnauthorized},
		"strict, unchecked":         {a.Strict(final), http.StatusForbidden},
	} {
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
		if rec.Code != c.want || strings.Contains(rec.Body.String(), "data") {
			t.Errorf("%s: %d %q, want %d", name, rec.Code, rec.Body, c.want)
		}
	}
	if handled != 2 {
		t.Errorf("the error handler ran %d times, want 2", handled)
	}
}

// Auth.Fail answers with the application's error handler (WithErrorHandler)
// as a step's refusal does: one that panics leaves the answer to
// DefaultErrorHandler, with the refusal's status and no panic's text, and
// the panic does not reach the handler that called Fail.
func TestFailWithPanickingErrorHandlerAnswers(t *testing.T) {
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(hmacKey(t).Signer.([]byte)))),
		middleware.WithLogger(discard()),
		middleware.WithErrorHandler(func(http.ResponseWriter, *http.Request, error) { panic("secret-error-handler-panic") }))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		err  error
		want int
	}{
		{middleware.ErrForbidden, http.StatusForbidden},
		{middleware.ErrUnavailable, http.StatusServiceUnavailable},
	} {
		rec := httptest.NewRecorder()
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("Fail(%v): the error handler's panic %v reached the handler", c.err, p)
				}
			}()
			a.Fail(rec, httptest.NewRequest("GET", "/x", nil), c.err)
		}()
		if rec.Code != c.want || strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("Fail(%v): %d %q, want %d without the panic's text", c.err, rec.Code, rec.Body, c.want)
		}
	}
}
