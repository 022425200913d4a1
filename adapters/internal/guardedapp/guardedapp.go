package guardedapp

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// Editors starts an HTTP service, closed with the test, whose route lets
// members of "editors" through, with groups from p; it returns the status
// of a request by sub, with a token signed by secret.
func Editors(t *testing.T, secret []byte, p warden.Provider) func(sub string) int {
	t.Helper()
	v, err := token.New(context.Background(), token.WithHMACSecret(secret), token.WithIssuer("iss"), token.WithAudience("aud"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	a, err := middleware.New(middleware.WithVerifier(v), middleware.WithGroups(p),
		middleware.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(a.Authenticate(a.RequireAnyGroup("editors")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	}))))
	t.Cleanup(app.Close)
	return func(sub string) int {
		t.Helper()
		tok, err := token.MintHS256(secret, token.Claims{Issuer: "iss", Audience: []string{"aud"}, Subject: sub, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", app.URL+"/posts", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := app.Client().Do(req)
		if err != nil {
			t.Fatalf("request of %s: %v (the server dropped it)", sub, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
}
