package echoware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	emw "github.com/labstack/echo/v4/middleware"

	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
)

// When Strict refuses a route whose check was forgotten, echo's request
// logger (registered before Strict, as request loggers are) records the
// status the client received, not the one the handler asked for: whether
// the handler wrote its response (200, 201) or nothing at all, and for a
// checked route the handler's own status.
func TestEchoLoggerSeesStrictRefusal(t *testing.T) {
	key := jwttest.Secret(t)
	a := newAuth(t, key, discard())
	var mu sync.Mutex
	logged := map[string]int{}
	e := echo.New()
	e.Logger.SetOutput(io.Discard)
	e.Use(emw.RequestLoggerWithConfig(emw.RequestLoggerConfig{
		LogURI: true, LogStatus: true,
		LogValuesFunc: func(_ echo.Context, v emw.RequestLoggerValues) error {
			mu.Lock()
			logged[v.URI] = v.Status
			mu.Unlock()
			return nil
		},
	}), echoware.Strict(a))
	e.GET("/forgotten/ok", func(c echo.Context) error { return c.String(http.StatusOK, "secret") })
	e.POST("/forgotten/created", func(c echo.Context) error { return c.NoContent(http.StatusCreated) })
	e.GET("/forgotten/nothing", func(echo.Context) error { return nil })
	e.GET("/posts", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, echoware.Authorize(a))
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/forgotten/ok", http.StatusForbidden},
		{"POST", "/forgotten/created", http.StatusForbidden},
		{"GET", "/forgotten/nothing", http.StatusForbidden},
		{"GET", "/posts", http.StatusNoContent},
	} {
		// Served in this goroutine: the logger has run when ServeHTTP returns.
		req := httptest.NewRequest(c.method, c.path, nil)
		req.Header.Set("Authorization", "Bearer "+key.Sign(t, claimsFor("bob", "viewer")))
		resp := httptest.NewRecorder()
		e.ServeHTTP(resp, req)
		mu.Lock()
		got := logged[c.path]
		mu.Unlock()
		if resp.Code != c.want || got != c.want {
			t.Errorf("%s %s: answered %d, echo's logger recorded %d; want both %d", c.method, c.path, resp.Code, got, c.want)
		}
	}
}
