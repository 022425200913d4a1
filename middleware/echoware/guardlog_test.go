package echoware_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/behaviour"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

// records keeps every record, so that tests check attributes by kind
// rather than by formatted text.
type records = behaviour.Records

// TestEchoGuardLogRecord checks that echo guards write the net/http guard
// record (middleware.Guard) through the Auth's logger, for every guard and
// both outcomes, without the token.
func TestEchoGuardLogRecord(t *testing.T) {
	key := jwttest.Secret(t)
	v, err := token.New(context.Background(), token.WithHMACSecret(key.Signer.([]byte)),
		token.WithIssuer(iss), token.WithAudience(aud))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	perms := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		return claimPermissions(tok)
	})
	h := &records{}
	a, err := middleware.New(middleware.WithVerifier(v), middleware.WithGroups(token.ClaimGroups("groups")),
		middleware.WithPermissions(perms), middleware.WithLogger(slog.New(h)))
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.Use(echoware.Strict(a))
	ok := func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
	e.GET("/me", ok, echoware.Authenticate(a), echoware.RequireAuthenticated(a))
	e.DELETE("/any-group/:id", ok, echoware.Authenticate(a), echoware.RequireAnyGroup(a, "admin", "ops"))
	e.GET("/all-groups", ok, echoware.Authenticate(a), echoware.RequireAllGroups(a, "g1", "g2"))
	e.GET("/any-perm", ok, echoware.Authenticate(a), echoware.RequireAnyPermission(a, "a:x", "b:x"))
	e.GET("/all-perms", ok, echoware.Authenticate(a), echoware.RequireAllPermissions(a, "a:x", "b:x"))
	e.GET("/custom", ok, echoware.Authenticate(a), echoware.Guard(a, "subject is u",
		func(_ context.Context, u *middleware.User) error {
			if u.ID() != "u" {
				return middleware.ErrForbidden
			}
			return nil
		}))
	srv := httptest.NewServer(e)
	defer srv.Close()

	sign := func(sub string, groups, perms []string) string {
		c := claimsFor(sub, groups...)
		if perms != nil {
			c["permissions"] = perms
		}
		return key.Sign(t, c)
	}
	tests := []struct {
		name, method, path, tok string
		status                  int
		guard, result           string
		subject                 string
	}{
		{"authenticated", "GET", "/me", sign("u", nil, nil), 204, "authenticated", "allow", "u"},
		{"any group allows", "DELETE", "/any-group/a%20b", sign("u", []string{"ops"}, nil), 204, "any group", "allow", "u"},
		{"any group denies", "DELETE", "/any-group/1", sign("u", []string{"viewer"}, nil), 403, "any group", "deny", "u"},
		{"all groups allows", "GET", "/all-groups", sign("u", []string{"g2", "g1"}, nil), 204, "all groups", "allow", "u"},
		{"all groups denies", "GET", "/all-groups", sign("u", []string{"g1"}, nil), 403, "all groups", "deny", "u"},
		{"any permission allows", "GET", "/any-perm", sign("u", nil, []string{"b:*"}), 204, "any permission", "allow", "u"},
		{"any permission denies", "GET", "/any-perm", sign("u", nil, []string{"c:x"}), 403, "any permission", "deny", "u"},
		{"all permissions allows", "GET", "/all-perms", sign("u", nil, []string{"a:x", "b:x"}), 204, "all permissions", "allow", "u"},
		{"all permissions denies", "GET", "/all-perms", sign("u", nil, []string{"*", "!b:x"}), 403, "all permissions", "deny", "u"},
		{"custom guard allows", "GET", "/custom", sign("u", nil, nil), 204, "subject is u", "allow", "u"},
		{"custom guard denies", "GET", "/custom", sign("w", nil, nil), 403, "subject is u", "deny", "w"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqID := "req-" + strings.ReplaceAll(tt.name, " ", "-")
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			req.Header.Set("Authorization", "Bearer "+tt.tok)
			req.Header.Set("X-Request-Id", reqID)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			got := h.Take("authorization guard")
			if len(got) != 1 {
				t.Fatalf("%d guard records, want 1", len(got))
			}
			rec := got[0]
			want := map[string]string{"request_id": reqID, "subject": tt.subject, "guard": tt.guard,
				"method": tt.method, "path": tt.path, "result": tt.result}
			for k, v := range want {
				if rec[k].String() != v {
					t.Errorf("%s = %q, want %q", k, rec[k].String(), v)
				}
			}
			if l, ok := rec["latency"]; !ok || l.Kind() != slog.KindDuration || l.Duration() < 0 {
				t.Errorf("latency = %v, want a duration", l)
			}
			sig := tt.tok[strings.LastIndex(tt.tok, ".")+1:]
			for k, v := range rec {
				if s := v.String(); strings.Contains(s, tt.tok) || strings.Contains(s, sig) {
					t.Errorf("%s carries the token", k)
				}
			}
		})
	}
}
