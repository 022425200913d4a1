package middleware_test

import (
	"context"
	"log"
	"net/http"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
)

// The route-protection snippet of the README, compiled by the tests (it has
// no Output: it would need a real identity provider).
func Example_readme() {
	ctx := context.Background()
	e, err := enforcer.NewFromFiles(ctx, "conf/model.conf", "conf/policy.csv")
	if err != nil {
		log.Fatal(err)
	}
	var posts, admin http.Handler = http.NotFoundHandler(), http.NotFoundHandler()

	v, err := token.New(ctx, token.WithJWKSURL("https://id.example/.well-known/jwks.json"),
		token.WithIssuer("https://id.example"), token.WithAudience("posts-api"))
	if err != nil {
		log.Fatal(err)
	}
	auth, err := middleware.New(
		middleware.WithVerifier(v),                         // signature, exp, nbf, iss and aud are required
		middleware.WithDecider(e),                          // the shared enforcer
		middleware.WithGroups(token.ClaimGroups("groups")), // request-scoped, never stored
	)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/posts", auth.Authorize(posts))                                   // Enforce(identity, path, method)
	mux.Handle("/admin", auth.Authenticate(auth.RequireAnyGroup("admin")(admin))) // a guard
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", auth.Strict(mux)))            // an unchecked route answers 403
}
