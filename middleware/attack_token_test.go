package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/internal/attacktest"
)

// tokenServer serves GET /posts/{id} behind Strict and Authorize with a.
func tokenServer(t *testing.T, a *middleware.Auth) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /posts/{id}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.PathValue("id"))) })
	srv := httptest.NewServer(a.Strict(a.Authorize(mux)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestTokenAttacks runs the token attack suite against net/http.
func TestTokenAttacks(t *testing.T) {
	attacktest.RunTokenCases(t, tokenServer, middleware.WithLogger(discard()))
}

// TestRoleIdentities runs the role-identity cases against net/http.
func TestRoleIdentities(t *testing.T) {
	attacktest.RunRoleCases(t, tokenServer, middleware.WithLogger(discard()))
}
