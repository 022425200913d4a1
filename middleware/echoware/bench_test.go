package echoware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/internal/overhead"
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

// BenchmarkOverhead is Warden's own per-request cost on an echo app with
// 110,000 rules; see package overhead for how the parts are subtracted.
func BenchmarkOverhead(b *testing.B) {
	overhead.Run(b, func(a *middleware.Auth) http.Handler {
		e := echo.New()
		ok := func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }
		if a == nil {
			e.GET("/:doc", ok)
			return e
		}
		e.Use(echoware.Strict(a))
		e.GET("/:doc", ok, echoware.Authorize(a))
		return e
	})
}
