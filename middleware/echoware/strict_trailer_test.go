package echoware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
)

// As in net/http: a trailer that a route whose check was forgotten sets
// after Strict refused its response does not follow the 403 (HTTP/2 sends
// trailers undeclared); a checked route's does.
func TestEchoStrictRefusalCarriesNoTrailerOfUncheckedRequest(t *testing.T) {
	key := jwttest.Secret(t)
	a := newAuth(t, key, discard())
	e := echo.New()
	e.Use(echoware.Strict(a))
	handler := func(c echo.Context) error {
		err := c.String(http.StatusOK, "data")
		c.Response().Header().Set(http.TrailerPrefix+"X-Result", "s3cret")
		return err
	}
	e.GET("/forgotten", handler)
	e.GET("/posts", handler, echoware.Authorize(a))
	srv := httptest.NewUnstartedServer(e)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	get := func(path string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+key.Sign(t, claimsFor("bob", "viewer")))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body) // the trailer is read with the body
		return resp, string(b)
	}
	if r, body := get("/forgotten"); r.StatusCode != http.StatusForbidden || len(r.Trailer) != 0 {
		t.Errorf("unchecked: %d %q with trailer %v; want 403 without any", r.StatusCode, body, r.Trailer)
	}
	if r, body := get("/posts"); r.StatusCode != http.StatusOK || body != "data" || r.Trailer.Get("X-Result") != "s3cret" {
		t.Errorf("checked: %d %q with trailer %v; want 200 with it", r.StatusCode, body, r.Trailer)
	}
}
