package main

import (
	"testing"
	"time"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/middleware/token"
)

// TestServeRefusesRoleIdentities: a token whose sub is a role of the admin
// policy (warden-admin) or of the served policy (admin) is refused, while
// the same roles reached through the token's groups, or a user granted them,
// still work (issue 10, item 3).
func TestServeRefusesRoleIdentities(t *testing.T) {
	db := dbtest.SQLite(t)
	base := startServe(t, "--addr", "127.0.0.1:0", "--db", db.DSN, "--model", confModel, "--seed", confPolicy,
		"--jwt-secret", serveSecret, "--admin", "root")
	grouped := func(sub string, groups ...string) string {
		s, err := token.MintHS256([]byte(serveSecret), token.Claims{Issuer: "https://warden.local", Audience: []string{"warden"},
			Subject: sub, Groups: groups, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name, tok, method, path, body string
		want                          int
	}{
		{"granted admin lists rules", serveToken(t, "root"), "GET", "/v1/rules", "", 200},
		{"sub warden-admin", serveToken(t, "warden-admin"), "GET", "/v1/rules", "", 403},
		{"sub warden-admin checks", serveToken(t, "warden-admin"), "POST", "/v1/check", `{"sub":"warden-admin","obj":"warden:admin","act":"x"}`, 403},
		{"sub admin, a role of the served policy", serveToken(t, "admin"), "POST", "/v1/check", `{"sub":"admin","obj":"/audit/1","act":"GET"}`, 403},
		{"sub editor", serveToken(t, "editor"), "POST", "/v1/check", `{"sub":"editor","obj":"/posts","act":"POST"}`, 403},
		{"user checks itself", serveToken(t, "alice"), "POST", "/v1/check", `{"sub":"alice","obj":"/posts","act":"POST"}`, 200},
		{"role through the groups claim", grouped("ops", "warden-admin"), "GET", "/v1/rules", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := (apiClient{t, base, tt.tok}).call(tt.method, tt.path, tt.body); code != tt.want {
				t.Fatalf("%s %s: %d %s, want %d", tt.method, tt.path, code, body, tt.want)
			}
		})
	}
}
