package middleware_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// panickingHandler is an application's slog.Handler that panics on every
// call.
type panickingHandler struct{}

func (panickingHandler) Enabled(context.Context, slog.Level) bool  { panic("log-enabled") }
func (panickingHandler) Handle(context.Context, slog.Record) error { panic("log-handle") }
func (panickingHandler) WithAttrs([]slog.Attr) slog.Handler        { panic("log-attrs") }
func (panickingHandler) WithGroup(string) slog.Handler             { panic("log-group") }

// enabledPanicking is enabled at every level and panics when it handles a
// line, so the line is written for real.
type enabledPanicking struct{ panickingHandler }

func (enabledPanicking) Enabled(context.Context, slog.Level) bool { return true }

// panickingWriter is a writer beneath NewJSONHandler that panics.
type panickingWriter struct{}

func (panickingWriter) Write([]byte) (int, error) { panic("log-write") }

// A logger that panics (its handler, or the writer beneath the direct
// decision log) loses its lines, never the request: allows, denials,
// refusals of a missing token and of strict mode are answered as with a
// working logger, and no panic leaves the middleware.
func TestPanickingLoggerLosesLinesNotRequests(t *testing.T) {
	key := hmacKey(t)
	e := newEnforcer(t, "rbac", enforcer.P("alice", "/x", "GET"))
	for name, l := range map[string]*slog.Logger{
		"handler panics everywhere":   slog.New(panickingHandler{}),
		"handler panics in Handle":    slog.New(enabledPanicking{}),
		"direct decision log's write": slog.New(middleware.NewJSONHandler(panickingWriter{}, nil)),
	} {
		a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
			middleware.WithDecider(e), middleware.WithLogger(l), middleware.WithDecisionLogSampling(1))
		if err != nil {
			t.Fatal(err)
		}
		ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
		mux := http.NewServeMux()
		mux.Handle("GET /x", a.Authorize(ok))
		mux.Handle("GET /y", a.Authorize(ok))
		mux.Handle("GET /forgotten", ok)
		h := a.Strict(mux)
		for _, c := range []struct {
			path, sub string
			want      int
		}{
			{"/x", "alice", http.StatusNoContent},
			{"/y", "alice", http.StatusForbidden},
			{"/x", "", http.StatusUnauthorized},
			{"/forgotten", "alice", http.StatusForbidden},
		} {
			req := httptest.NewRequest("GET", c.path, nil)
			if c.sub != "" {
				req.Header = bearer(key.Sign(t, claimsFor(c.sub)))
			}
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s: GET %s: the logger's panic %v left the middleware", name, c.path, p)
					}
				}()
				h.ServeHTTP(rec, req)
			}()
			if rec.Code != c.want {
				t.Errorf("%s: GET %s as %q: %d, want %d", name, c.path, c.sub, rec.Code, c.want)
			}
		}
	}
}
