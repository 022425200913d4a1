package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/middleware/token"
)

func TestTokenCommand(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	var out, errOut bytes.Buffer
	code := runToken(context.Background(), []string{"--secret", secret, "--issuer", "https://id.example", "--audience", "posts-api",
		"--sub", "alice", "--groups", "editor, beta", "--ttl", "30m"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	v, err := token.New(context.Background(), token.WithHMACSecret([]byte(secret)),
		token.WithIssuer("https://id.example"), token.WithAudience("posts-api"))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	tok, err := v.Verify(context.Background(), strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatalf("minted token does not verify: %v", err)
	}
	groups, _ := token.ClaimGroups("groups").Fetch(context.Background(), tok)
	if tok.Identity != "alice" || strings.Join(groups, ",") != "editor,beta" {
		t.Fatalf("claims = %v", tok.Claims)
	}
	exp, _ := tok.Claims["exp"].(float64)
	iat, _ := tok.Claims["iat"].(float64)
	if exp-iat != 1800 {
		t.Fatalf("ttl = %vs, want 1800", exp-iat)
	}
	// Another audience is refused by the same verifier.
	out.Reset()
	runToken(context.Background(), []string{"--secret", secret, "--issuer", "https://id.example", "--audience", "billing", "--sub", "alice"}, &out, &errOut)
	if _, err := v.Verify(context.Background(), strings.TrimSpace(out.String())); !errors.Is(err, jwt.ErrTokenInvalidAudience) {
		t.Fatalf("other audience: %v", err)
	}
}

func TestTokenCommandErrors(t *testing.T) {
	t.Setenv("WARDEN_JWT_SECRET", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no sub", []string{"--secret", "0123456789abcdef0123456789abcdef"}, "--sub is required"},
		{"no secret", []string{"--sub", "alice"}, "--secret"},
		{"short secret", []string{"--sub", "alice", "--secret", "short"}, "at least 32"},
		{"bad ttl", []string{"--sub", "alice", "--secret", "0123456789abcdef0123456789abcdef", "--ttl", "-1h"}, "--ttl"},
		{"extra argument", []string{"--sub", "alice", "bob"}, "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := runToken(context.Background(), tt.args, &out, &errOut); code != exitError {
				t.Fatalf("exit %d", code)
			}
			if !strings.Contains(errOut.String(), tt.want) || out.Len() != 0 {
				t.Fatalf("stderr %q, stdout %q", errOut.String(), out.String())
			}
		})
	}
}
