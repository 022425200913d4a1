package middleware_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/internal/behaviour"
	"github.com/wardenhq/warden/middleware/token"
)

// records keeps every record, so that tests check attributes by kind
// rather than by formatted text.
type records = behaviour.Records

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
	got := h.WithMessage("authorization guard")
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
