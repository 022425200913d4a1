package echoware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

// Authorize under e.Pre runs before echo routes, as an Authorize around a
// ServeMux: a path declared WithPublic goes through unauthenticated, and
// strict mode judges on the route that served it whether it was public. A
// catch-all (whose check was forgotten) serving the path is refused.
// Before, the early Authorize counted the request checked and strict mode
// let the catch-all's 200 through.
func TestEchoStrictJudgesPublicOnTheRouteServed(t *testing.T) {
	key := jwttest.Secret(t)
	v, err := token.New(context.Background(), token.WithHMACSecret(key.Signer.([]byte)), token.WithIssuer(iss), token.WithAudience(aud))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	a, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(newAuth(t, key, discard()).Decider()),
		middleware.WithLogger(discard()), middleware.WithPublic("GET /healthz", "GET /status"))
	if err != nil {
		t.Fatal(err)
	}
	for _, strictPre := range []bool{false, true} {
		e := echo.New()
		e.Pre(echoware.Authorize(a))
		if strictPre {
			e.Pre(echoware.Strict(a))
		} else {
			e.Use(echoware.Strict(a))
		}
		e.GET("/status", func(c echo.Context) error { return c.String(http.StatusOK, "up") })
		e.GET("/*", func(c echo.Context) error { return c.String(http.StatusOK, "catch-all") })
		for path, want := range map[string]int{"/status": http.StatusOK, "/healthz": http.StatusForbidden} {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code != want {
				t.Errorf("Strict under e.Pre %v: GET %s: %d %q, want %d", strictPre, path, rec.Code, rec.Body, want)
			}
		}
	}
}
