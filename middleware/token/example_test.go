package token_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden/middleware/token"
)

func Example() {
	secret := []byte("0123456789abcdef0123456789abcdef") // 32 bytes; use a random one
	v, err := token.New(context.Background(),
		token.WithHMACSecret(secret),
		token.WithIssuer("https://id.example"),
		token.WithAudience("posts-api"),
	)
	if err != nil {
		panic(err)
	}
	defer v.Close()

	raw, _ := token.MintHS256(secret, token.Claims{
		Issuer: "https://id.example", Audience: []string{"posts-api"},
		Subject: "alice", Groups: []string{"editor"}, TTL: time.Hour,
	})
	tok, err := v.Verify(context.Background(), raw)
	fmt.Println(tok.Identity, tok.Claims["groups"], err)

	other, _ := token.MintHS256(secret, token.Claims{
		Issuer: "https://id.example", Audience: []string{"billing-api"}, Subject: "alice", TTL: time.Hour,
	})
	_, err = v.Verify(context.Background(), other)
	fmt.Println(errors.Is(err, token.ErrInvalidToken))
	// Output:
	// alice [editor] <nil>
	// true
}
