package echoware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	emw "github.com/labstack/echo/v4/middleware"

	"github.com/wardenhq/warden/middleware/echoware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
)

// As in net/http: a route whose check was forgotten sets a session cookie
// and panics under echo's Recover, registered before Strict; the answer
// carries none of the handler's headers, and is no success. A checked
// route's panic is echo's 500 with them. (echo was safe before the fix in
// net/http: its Recover answers through Strict's writer, which refuses.)
func TestEchoStrictPanicLeaksNoHeaderOfUncheckedRequest(t *testing.T) {
	key := jwttest.Secret(t)
	a := newAuth(t, key, discard())
	e := echo.New()
	e.Logger.SetOutput(io.Discard)
	e.Use(emw.Recover(), echoware.Strict(a))
	panicking := func(c echo.Context) error {
		c.SetCookie(&http.Cookie{Name: "session", Value: "s3cret"})
		c.Response().Header().Set("X-Leak", "yes")
		panic("boom")
	}
	e.GET("/forgotten", panicking)
	e.GET("/posts", panicking, echoware.Authorize(a))
	srv := httptest.NewServer(e)
	defer srv.Close()
	get := func(path string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+key.Sign(t, claimsFor("bob", "viewer")))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := get("/forgotten"); r.StatusCode < 400 || r.Header.Get("Set-Cookie") != "" || r.Header.Get("X-Leak") != "" {
		t.Errorf("unchecked: %d with Set-Cookie %q, X-Leak %q; want a refusal without the handler's headers",
			r.StatusCode, r.Header.Get("Set-Cookie"), r.Header.Get("X-Leak"))
	}
	if r := get("/posts"); r.StatusCode != http.StatusInternalServerError || r.Header.Get("X-Leak") != "yes" {
		t.Errorf("checked: %d with X-Leak %q; want echo's 500 with the handler's headers", r.StatusCode, r.Header.Get("X-Leak"))
	}
}
