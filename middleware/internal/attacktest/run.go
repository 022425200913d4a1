package attacktest

import (
	"io"
	"net/http"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/middleware"
)

// Serve starts one framework's app around a — GET /posts/{id} echoing the
// id, behind Strict and Authorize — and returns its base URL. Each framework's
// tests give their own; the suites below are the same for all of them.
type Serve func(t *testing.T, a *middleware.Auth) string

// RunTokenCases runs TokenCases against the app serve starts.
func RunTokenCases(t *testing.T, serve Serve, opts ...middleware.Option) {
	k := NewKeys(t)
	url := serve(t, Auth(t, k, opts...)) + "/posts/1"
	for _, c := range TokenCases {
		t.Run(c.Name, func(t *testing.T) {
			if got := get(t, url, c.Auth(t, k)); got != c.Want {
				t.Fatalf("status %d, want %d", got, c.Want)
			}
		})
	}
}

// RunRoleCases runs RoleCases against the app serve starts, one app per
// case (each case configures its own Auth).
func RunRoleCases(t *testing.T, serve Serve, opts ...middleware.Option) {
	k := NewKeys(t)
	for _, c := range RoleCases {
		t.Run(c.Name, func(t *testing.T) {
			url := serve(t, Auth(t, k, append(append([]middleware.Option{}, opts...), c.Opts...)...))
			tok := k.HS.Sign(t, Claims(func(m jwt.MapClaims) { m["sub"] = c.Sub; delete(m, "groups") }))
			if got := get(t, url+"/posts/1", bearer(tok)); got != c.Want {
				t.Fatalf("status %d, want %d", got, c.Want)
			}
		})
	}
}

// RunPathCases runs PathCases against the server at addr ("host:port"),
// as dave (a viewer) and as carol (a viewer denied /posts/*), with tokens
// keyed by subject name.
func RunPathCases(t *testing.T, addr string, tokens map[string]string) {
	for _, c := range PathCases {
		t.Run(c.Name, func(t *testing.T) {
			for name, want := range map[string]int{"dave": c.Viewer, "carol": CarolStatus(c)} {
				status, body := Send(t, addr, c.Target, http.Header{"Authorization": bearer(tokens[name])})
				if status != want {
					t.Errorf("%s %q: status %d (%q), want %d", name, c.Target, status, body, want)
				}
			}
		})
	}
}

// get sends GET url with the Authorization values (none when nil) and
// returns the status.
func get(t *testing.T, url string, auth []string) int {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != nil {
		req.Header["Authorization"] = auth
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
