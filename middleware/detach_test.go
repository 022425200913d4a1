package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// A batch endpoint serves each part of its body through the router, in
// process, under the request's context. Without Detach a part shares the
// outer request's state, so strict mode judges each by the other: a part
// for a route whose check was forgotten goes out because the batch was
// authorized, and a batch route whose own check was forgotten goes out
// because a part was authorized. Under Detach's context each part is a
// request of its own: authenticated from its own header, decided, judged.
func TestDetachedSubRequestIsJudgedAlone(t *testing.T) {
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(newEnforcer(t, "rbac",
			enforcer.P("alice", "/batch", "POST"), enforcer.P("alice", "/batch-shared", "POST"),
			enforcer.P("alice", "/posts", "GET"))),
		middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	alice := "Bearer " + key.Sign(t, claimsFor("alice"))
	var h http.Handler
	// batch answers each part's status, one line each: the body lists
	// the parts' paths, and each part carries the batch's Authorization
	// header unless the path ends in "!".
	batch := func(detach bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var out strings.Builder
			for _, path := range strings.Fields(r.URL.Query().Get("parts")) {
				ctx := r.Context()
				if detach {
					ctx = middleware.Detach(ctx)
				}
				anonymous := strings.HasSuffix(path, "!")
				sub, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(path, "!"), nil)
				if err != nil {
					t.Error(err)
					return
				}
				if !anonymous {
					sub.Header.Set("Authorization", r.Header.Get("Authorization"))
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, sub)
				out.WriteString(http.StatusText(rec.Code) + "\n")
			}
			_, _ = w.Write([]byte(out.String()))
		}
	}
	ok := func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }
	mux := http.NewServeMux()
	mux.Handle("POST /batch", a.Authorize(batch(true)))
	mux.Handle("POST /batch-shared", a.Authorize(batch(false)))
	mux.Handle("POST /batch-unchecked", batch(true)) // its check was forgotten
	mux.Handle("POST /batch-unchecked-shared", batch(false))
	mux.Handle("GET /posts", a.Authorize(http.HandlerFunc(ok)))
	mux.Handle("GET /drafts", a.Authorize(http.HandlerFunc(ok))) // alice may not
	mux.HandleFunc("GET /forgotten", ok)                         // its check was forgotten
	h = a.Strict(mux)

	for _, tc := range []struct {
		name, route, parts string
		want               int    // the batch's status
		wantParts          string // each part's, a line each
	}{
		{"each part is decided and judged alone", "/batch", "/posts /drafts /forgotten",
			http.StatusOK, "OK\nForbidden\nForbidden\n"},
		{"a part without a token is not the batch's caller", "/batch", "/posts!",
			http.StatusOK, "Unauthorized\n"},
		{"a checked part does not let an unchecked batch out", "/batch-unchecked", "/posts",
			http.StatusForbidden, ""},
		// Without Detach, what Detach is for: the part shares the
		// batch's state.
		{"shared: a forgotten part, and one without a token, go out as the batch", "/batch-shared", "/forgotten /posts!",
			http.StatusOK, "OK\nOK\n"},
		{"shared: a checked part lets an unchecked batch out", "/batch-unchecked-shared", "/posts",
			http.StatusOK, "OK\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tc.route+"?parts="+strings.ReplaceAll(tc.parts, " ", "+"), nil)
			req.Header.Set("Authorization", alice)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("POST %s: %d %q, want %d", tc.route, rec.Code, rec.Body, tc.want)
			}
			if tc.want == http.StatusOK && rec.Body.String() != tc.wantParts {
				t.Errorf("POST %s parts %s: %q, want %q", tc.route, tc.parts, rec.Body, tc.wantParts)
			}
		})
	}
}

// Detach hides the caller, the request id and the checked marker, and
// nothing else; a caller put above it is seen.
func TestDetachHidesOnlyTheRequestState(t *testing.T) {
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(newEnforcer(t, "rbac", enforcer.P("alice", "/", "GET"))), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	type otherKey struct{}
	var outer context.Context
	h := a.Authorize(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		outer = r.Context()
		w.WriteHeader(http.StatusNoContent)
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(context.WithValue(context.Background(), otherKey{}, "kept"))
	req.Header.Set("Authorization", "Bearer "+key.Sign(t, claimsFor("alice")))
	req.Header.Set("X-Request-Id", "outer-1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("GET /: %d %q", rec.Code, rec.Body)
	}
	u, ok := middleware.UserFrom(outer)
	if !ok || !middleware.Checked(outer) || middleware.RequestID(outer) != "outer-1" {
		t.Fatalf("outer context: user %v, checked %v, id %q", ok, middleware.Checked(outer), middleware.RequestID(outer))
	}
	d := middleware.Detach(outer)
	if _, ok := middleware.UserFrom(d); ok {
		t.Error("Detach kept the caller")
	}
	if middleware.Checked(d) {
		t.Error("Detach kept the checked marker")
	}
	if id := middleware.RequestID(d); id != "" {
		t.Errorf("Detach kept the request id %q", id)
	}
	if v, _ := d.Value(otherKey{}).(string); v != "kept" {
		t.Errorf("Detach dropped another package's value: %q", v)
	}
	if got, ok := middleware.UserFrom(middleware.WithUser(d, u)); !ok || got != u {
		t.Errorf("WithUser above Detach: %v %v, want the caller", got, ok)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Detach(nil) did not panic, as context.WithValue does")
			}
		}()
		var none context.Context // nil, on purpose
		_ = middleware.Detach(none)
	}()
	cancelled, cancel := context.WithCancel(outer)
	cancel()
	if middleware.Detach(cancelled).Err() == nil {
		t.Error("Detach dropped the cancellation")
	}
}
