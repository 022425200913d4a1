// Command minimalhttp is the smallest useful Warden service: a net/http
// handler behind the bearer-token middleware and an in-memory enforcer.
// layers_test.go builds it to record what a net/http user pays for Warden
// (binary size and packages linked); it is never run.
package main

import (
	"context"
	"log"
	"net/http"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

func main() {
	ctx := context.Background()
	v, err := token.New(ctx, token.WithHMACSecret([]byte("a secret of at least thirty-two bytes")),
		token.WithIssuer("https://issuer.example"), token.WithAudience("api"))
	if err != nil {
		log.Fatal(err)
	}
	m, err := models.Load("rbac")
	if err != nil {
		log.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		log.Fatal(err)
	}
	auth, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e))
	if err != nil {
		log.Fatal(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("hello\n")) })
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", auth.Authorize(hello)))
}
