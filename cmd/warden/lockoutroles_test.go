package main

import (
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
)

// TestServeLockoutCountsOnlyIdentitiesThatAuthenticate: warden:admin handed
// to "admin", a role of the served policy whose name the middleware
// refuses as a token's subject, is no administrator: revoking root after it
// is a lockout (409), and root can still manage. So is a grant in the
// served policy that makes "root" a role there.
func TestServeLockoutCountsOnlyIdentitiesThatAuthenticate(t *testing.T) {
	db := dbtest.SQLite(t)
	base := startServe(t, "--addr", "127.0.0.1:0", "--db", db.DSN, "--model", confModel, "--seed", confPolicy,
		"--jwt-secret", serveSecret, "--admin", "root")
	root := apiClient{t, base, serveToken(t, "root")}
	steps := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/v1/rules?scope=admin", `{"ptype":"p","values":["admin","warden:admin","allow"]}`, 200},
		{"DELETE", "/v1/groups?scope=admin", `{"member":"root","role":"warden-admin"}`, 409},
		{"GET", "/v1/rules", "", 200},
		{"POST", "/v1/groups", `{"member":"mallory","role":"root"}`, 409},
		{"POST", "/v1/rules", `{"rules":[{"ptype":"g","values":["dave","viewer"]},{"ptype":"g","values":["mallory","root"]}]}`, 409},
		{"POST", "/v1/groups", `{"member":"dave","role":"viewer"}`, 200},
		{"GET", "/v1/rules", "", 200},
	}
	for _, s := range steps {
		if code, body := root.call(s.method, s.path, s.body); code != s.want {
			t.Fatalf("%s %s %s: %d %s, want %d", s.method, s.path, s.body, code, body, s.want)
		}
	}
	if code, body := (apiClient{t, base, serveToken(t, "admin")}).call("GET", "/v1/rules", ""); code != 403 {
		t.Errorf("sub admin: %d %s, want 403 (a role of the served policy)", code, body)
	}
}
