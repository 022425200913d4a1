package middleware_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

// A batch endpoint serves each part through the router in process. Under
// Detach each part is a request of its own: authenticated from its own
// header, decided, and judged by strict mode (the forgotten route's part is
// refused, though the batch itself was authorized).
func ExampleDetach() {
	ctx := context.Background()
	secret := []byte("0123456789abcdef0123456789abcdef")
	v, _ := token.New(ctx, token.WithHMACSecret(secret),
		token.WithIssuer("https://id.example"), token.WithAudience("posts-api"))
	defer v.Close()
	m, _ := models.Load(models.RBAC)
	e, _ := enforcer.New(ctx, m, nil)
	_, _ = e.AddRules(ctx, enforcer.P("viewer", "/batch", "POST"), enforcer.P("viewer", "/posts", "GET"))
	auth, _ := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e),
		middleware.WithGroups(token.ClaimGroups("groups")),
		middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))

	var h http.Handler
	mux := http.NewServeMux()
	mux.Handle("POST /batch", auth.Authorize(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, path := range strings.Fields(r.URL.Query().Get("parts")) {
			part, _ := http.NewRequestWithContext(middleware.Detach(r.Context()), http.MethodGet, path, nil)
			part.Header.Set("Authorization", r.Header.Get("Authorization"))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, part)
			fmt.Fprintln(w, path, rec.Code)
		}
	})))
	mux.Handle("GET /posts", auth.Authorize(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "posts")
	})))
	mux.HandleFunc("GET /drafts", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "drafts") }) // no check
	h = auth.Strict(mux)

	carol, _ := token.MintHS256(secret, token.Claims{Issuer: "https://id.example", Audience: []string{"posts-api"},
		Subject: "carol", Groups: []string{"viewer"}, TTL: time.Hour})
	req := httptest.NewRequest(http.MethodPost, "/batch?parts=/posts+/drafts", nil)
	req.Header.Set("Authorization", "Bearer "+carol)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Print(rec.Code, "\n", rec.Body)
	// Output:
	// 200
	// /posts 200
	// /drafts 403
}
