package echoware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
)

// BenchmarkEcho measures Strict + Authorize on an echo route against the
// same route without them, in the same run.
func BenchmarkEcho(b *testing.B) {
	key := jwttest.Secret(b)
	a := newAuth(b, key, discard())
	ok := func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
	bare := echo.New()
	bare.GET("/posts", ok)
	guarded := echo.New()
	guarded.Use(echoware.Strict(a))
	guarded.GET("/posts", ok, echoware.AuthorizeWithConfig(echoware.Config{Auth: a, Mapper: echoware.RouteMapper}))
	tok := key.Sign(b, claimsFor("carol", "viewer"))
	for name, e := range map[string]*echo.Echo{"bare": bare, "HS256": guarded} {
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/posts", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				if rec.Code != http.StatusNoContent {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}
