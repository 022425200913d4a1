package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/httpapi"
)

// TestRedirectToPlainHTTPRefused: an https directory that redirects to
// plain http (a proxy's misconfiguration, an open redirect) must not have
// its answer taken from a channel anyone on the path can write, nor the API
// key sent over it: net/http keeps Authorization on a redirect to the same
// host, whatever the scheme. The fetch fails closed instead.
func TestRedirectToPlainHTTPRefused(t *testing.T) {
	var sawKey atomic.Bool
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			sawKey.Store(true)
		}
		w.Write([]byte(`["admins"]`))
	}))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
	}))
	defer secure.Close()
	hc := secure.Client()
	c, err := httpapi.New(secure.URL, httpapi.WithHTTPClient(hc), httpapi.WithAPIKey("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Groups(context.Background(), &warden.Token{Identity: "mallory"})
	if err == nil {
		t.Errorf("groups through an https-to-http redirect: %v, want an error", got)
	}
	if sawKey.Load() {
		t.Error("the API key was sent over plain http")
	}
	if hc.CheckRedirect != nil {
		t.Error("the application's client was changed")
	}
}
