package middleware_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

func Example() {
	ctx := context.Background()
	secret := []byte("0123456789abcdef0123456789abcdef")
	v, _ := token.New(ctx, token.WithHMACSecret(secret),
		token.WithIssuer("https://id.example"), token.WithAudience("posts-api"))
	defer v.Close()

	m, _ := models.Load(models.RESTful)
	e, _ := enforcer.New(ctx, m, nil)
	_, _ = e.AddRules(ctx, enforcer.P("viewer", "/posts", "GET"))

	auth, _ := middleware.New(
		middleware.WithVerifier(v),
		middleware.WithDecider(e),
		middleware.WithGroups(token.ClaimGroups("groups")), // request-scoped, never stored
		middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	)
	mux := http.NewServeMux()
	mux.Handle("/posts", auth.Authorize(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		fmt.Fprintf(w, "posts for %s", u.ID())
	})))
	h := auth.Strict(mux)

	carol, _ := token.MintHS256(secret, token.Claims{Issuer: "https://id.example", Audience: []string{"posts-api"},
		Subject: "carol", Groups: []string{"viewer"}, TTL: time.Hour})
	for _, method := range []string{"GET", "POST"} {
		req := httptest.NewRequest(method, "/posts", nil)
		req.Header.Set("Authorization", "Bearer "+carol)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(method, rec.Code)
	}
	// Output:
	// GET 200
	// POST 403
}
