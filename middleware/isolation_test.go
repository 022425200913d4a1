package middleware_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// Many callers with different groups in their tokens hammer one server.
// Each may read only its own resource; if a caller's request-scoped groups
// ever leaked into shared state or into another request, some caller would
// be allowed the neighbour's resource.
func TestRequestScopedGroupsAreIsolated(t *testing.T) {
	const callers, rounds = 16, 25
	key := hmacKey(t)
	var rules []enforcer.Rule
	for i := range callers {
		rules = append(rules, enforcer.P(fmt.Sprintf("group-%d", i), fmt.Sprintf("/res/%d", i), "GET"))
	}
	e := newEnforcer(t, "rbac", rules...)
	a, err := middleware.New(
		middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(e), middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithLogger(discard()),
	)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Authorize(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	defer srv.Close()

	var wg sync.WaitGroup
	errs := make(chan error, callers*rounds*2)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every caller has the same subject, so only groups tell them apart.
			h := bearer(key.Sign(t, claimsFor("svc", fmt.Sprintf("group-%d", i))))
			own, other := fmt.Sprintf("/res/%d", i), fmt.Sprintf("/res/%d", (i+1)%callers)
			for range rounds {
				for path, want := range map[string]int{own: 200, other: 403} {
					req, _ := http.NewRequest("GET", srv.URL+path, nil)
					req.Header = h.Clone()
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						errs <- err
						return
					}
					resp.Body.Close()
					if resp.StatusCode != want {
						errs <- fmt.Errorf("caller %d %s: %d, want %d", i, path, resp.StatusCode, want)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(e.Rules("g")); n != 0 {
		t.Fatalf("shared policy gained %d g rules", n)
	}
}
