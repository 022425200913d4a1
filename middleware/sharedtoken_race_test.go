package middleware_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// Many requests at once present one cached token, through FirstOf and a
// chain of Authenticate, Authorize and a guard, while a hostile provider
// (not a sharedtoken.Reader) and the handler rewrite everything they are
// handed, and ClaimGroups, which reads the shared token, decides. Run with
// -race: a write that reached the shared token is a data race with the
// other requests' reads, and a change that stuck is an allow of /secret.
// The public Verify, cached or not (WithCache(0)), hands each caller its
// own copy meanwhile.
func TestSharedTokenUnderConcurrentHostileCode(t *testing.T) {
	key := hmacKey(t)
	secret := key.Signer.([]byte)
	v := newVerifier(t, token.WithHMACSecret(secret))
	nocache := newVerifier(t, token.WithHMACSecret(secret), token.WithCache(0))
	e := newEnforcer(t, "rbac", enforcer.P("viewer", "/posts", "GET"), enforcer.P("admin", "/secret", "GET"))
	spoil := func(tok *warden.Token) {
		tok.Identity = "root"
		tok.Header["alg"] = "none"
		tok.Claims["sub"] = "root"
		tok.Claims["groups"].([]any)[0] = "admin"
		tok.Claims["admin"] = true
	}
	hostile := warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		spoil(tok)
		return []string{"viewer"}, nil
	})
	a, err := middleware.New(middleware.WithAuthenticator(middleware.FirstOf(middleware.Bearer(v))),
		middleware.WithDecider(e), middleware.WithLogger(discard()),
		middleware.WithGroups(hostile, token.ClaimGroups("groups")), middleware.WithPermissions(hostile))
	if err != nil {
		t.Fatal(err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		spoil(u.Token())
		if u.ID() != "carol" {
			http.Error(w, "identity "+u.ID(), http.StatusTeapot)
		}
	})
	h := a.Authenticate(a.Authorize(a.RequireAnyGroup("viewer", "admin")(handler)))
	raw := key.Sign(t, claimsFor("carol", "viewer"))
	const workers, rounds = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				for path, want := range map[string]int{"/secret": http.StatusForbidden, "/posts": http.StatusOK} {
					req := httptest.NewRequest("GET", path, nil)
					req.Header = bearer(raw)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != want {
						errs <- fmt.Errorf("GET %s: %d %q, want %d", path, rec.Code, rec.Body, want)
					}
				}
				for _, pv := range []*token.Verifier{v, nocache} {
					tok, err := pv.Verify(context.Background(), raw)
					if err != nil {
						errs <- err
						continue
					}
					if g := fmt.Sprintf("%s %v %v", tok.Identity, tok.Claims["groups"], tok.Claims["admin"]); g != "carol [viewer] <nil>" {
						errs <- fmt.Errorf("Verify handed out %s", g)
					}
					spoil(tok)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
