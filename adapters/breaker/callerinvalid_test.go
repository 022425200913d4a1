package breaker_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/breaker"
	"github.com/wardenhq/warden/adapters/httpapi"
)

// TestRefusedIdentityDoesNotTrip: an identity the source itself refuses
// (httpapi refuses "." and "..", sqlstore one longer than 500 characters)
// is the caller's data, an error of kind warden.ErrInvalid, and must not
// count against the breaker every caller shares: five tokens with sub "."
// opened it, and every other caller was answered 503 until it closed.
func TestRefusedIdentityDoesNotTrip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`["editors"]`))
	}))
	defer srv.Close()
	c, err := httpapi.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b := wrap(warden.ProviderFunc(c.Groups), breaker.WithFailures(1))
	bad := &warden.Token{Identity: ".."}
	for range 3 {
		if _, err := b.Fetch(context.Background(), bad); !errors.Is(err, httpapi.ErrIdentity) {
			t.Fatalf("fetch for %q: %v, want httpapi.ErrIdentity", bad.Identity, err)
		}
	}
	if b.State() != breaker.Closed {
		t.Fatalf("state after refused identities = %v, want closed", b.State())
	}
	got, err := b.Fetch(context.Background(), tok)
	if err != nil || len(got) != 1 || got[0] != "editors" {
		t.Fatalf("another caller after refused identities: %v, %v", got, err)
	}
	// Any error of kind ErrInvalid is the caller's, whoever made it.
	mine := warden.NewError(warden.ErrInvalid, "teams: invalid team name")
	b = wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, mine }), breaker.WithFailures(1))
	for range 3 {
		b.Fetch(context.Background(), tok)
	}
	if b.State() != breaker.Closed {
		t.Fatalf("state after ErrInvalid = %v, want closed", b.State())
	}
}
