package echoware_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

func Example() {
	ctx := context.Background()
	secret := []byte("0123456789abcdef0123456789abcdef")
	v, _ := token.New(ctx, token.WithHMACSecret(secret),
		token.WithIssuer("https://id.example"), token.WithAudience("posts-api"))
	defer v.Close()
	m, _ := models.Load(models.Permissions)
	e, _ := enforcer.New(ctx, m, nil)
	_, _ = e.AddRules(ctx, enforcer.P("editor", "posts:*", "allow"))
	auth, _ := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e),
		middleware.WithGroups(token.ClaimGroups("groups")),
		middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))

	app := echo.New()
	audit := echoware.NewAudit(app)
	app.Use(echoware.Strict(auth))
	app.POST("/posts", func(c echo.Context) error { return c.NoContent(http.StatusCreated) },
		echoware.Require(auth, "posts:write"))
	app.GET("/debug", func(c echo.Context) error { return c.String(http.StatusOK, "oops") })
	for _, r := range audit.Unchecked() {
		fmt.Println("unchecked:", r.Method, r.Path)
	}

	bob, _ := token.MintHS256(secret, token.Claims{Issuer: "https://id.example", Audience: []string{"posts-api"},
		Subject: "bob", Groups: []string{"editor"}, TTL: time.Hour})
	for _, r := range []struct{ method, path string }{{"POST", "/posts"}, {"GET", "/debug"}} {
		req := httptest.NewRequest(r.method, r.path, nil)
		req.Header.Set("Authorization", "Bearer "+bob)
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		fmt.Println(r.method, r.path, rec.Code)
	}
	// Output:
	// unchecked: GET /debug
	// POST /posts 201
	// GET /debug 403
}
