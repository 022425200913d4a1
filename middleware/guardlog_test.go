package middleware_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// records is a slog.Handler that keeps every record, for tests that check
// attributes by kind rather than by formatted text.
type records struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}
func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }

// withMessage returns the attributes of each record with message msg.
func (h *records) withMessage(msg string) []map[string]slog.Value {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]slog.Value
	for _, r := range h.recs {
		if r.Message != msg {
			continue
		}
		attrs := map[string]slog.Value{}
		r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value; return true })
		out = append(out, attrs)
	}
	return out
}

func TestGuardLogRecord(t *testing.T) {
	key := hmacKey(t)
	h := &records{}
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithLogger(slog.New(h)))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/admin/", a.RequireAnyGroup("admin")(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	srv := httptest.NewServer(a.Strict(a.Authenticate(mux)))
	defer srv.Close()

	adminTok := key.Sign(t, claimsFor("alice", "admin"))
	viewerTok := key.Sign(t, claimsFor("carol", "viewer"))
	if r := do(t, "DELETE", srv.URL+"/admin/a%20b", bearer(adminTok)); r.status != 200 {
		t.Fatalf("admin: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", srv.URL+"/admin/stats", bearer(viewerTok)); r.status != 403 {
		t.Fatalf("viewer: %d %s", r.status, r.body)
	}
	got := h.withMessage("authorization guard")
	if len(got) != 2 {
		t.Fatalf("%d guard records, want 2", len(got))
	}
	want := []map[string]string{
		{"subject": "alice", "guard": "any group", "method": "DELETE", "path": "/admin/a%20b", "result": "allow"},
		{"subject": "carol", "guard": "any group", "method": "GET", "path": "/admin/stats", "result": "deny"},
	}
	for i, rec := range got {
		for k, v := range want[i] {
			if rec[k].String() != v {
				t.Errorf("record %d: %s = %q, want %q", i, k, rec[k].String(), v)
			}
		}
		if l, ok := rec["latency"]; !ok || l.Kind() != slog.KindDuration || l.Duration() < 0 {
			t.Errorf("record %d: latency = %v, want a duration", i, l)
		}
		if rec["request_id"].String() == "" {
			t.Errorf("record %d: no request_id", i)
		}
		for k, v := range rec {
			if s := v.String(); strings.Contains(s, adminTok) || strings.Contains(s, viewerTok) ||
				strings.Contains(s, strings.Split(adminTok, ".")[2]) || strings.Contains(s, strings.Split(viewerTok, ".")[2]) {
				t.Errorf("record %d: %s carries the token", i, k)
			}
		}
	}
}
