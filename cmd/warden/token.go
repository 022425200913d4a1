package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wardenhq/warden/middleware/token"
)

// runToken mints an HS256 token for trying a service such as the demo apps.
// The secret may come from WARDEN_JWT_SECRET so that it stays out of shell
// history and process listings.
func runToken(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("token", "--secret S --issuer I --audience A --sub SUBJECT [--groups g1,g2] [--permissions p1,p2] [--ttl 1h]", stdout, stderr)
	secret := fs.String("secret", "", "HMAC secret, at least 32 bytes")
	issuer := fs.String("issuer", "https://warden.local", "iss claim")
	audience := fs.String("audience", "posts-api", "aud claim; commas for several")
	fs.fromEnv("secret", "WARDEN_JWT_SECRET")
	fs.fromEnv("issuer", "WARDEN_ISSUER")
	fs.fromEnv("audience", "WARDEN_AUDIENCE")
	sub := fs.String("sub", "", "sub claim: the caller's identity (required)")
	groups := fs.String("groups", "", "groups claim, comma-separated")
	perms := fs.String("permissions", "", "permissions claim, comma-separated")
	ttl := fs.Duration("ttl", time.Hour, "lifetime")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	switch {
	case len(pos) > 0:
		return errorf(stderr, "token", "unexpected arguments %q", pos)
	case *sub == "":
		return errorf(stderr, "token", "--sub is required")
	case *secret == "":
		return errorf(stderr, "token", "--secret (or WARDEN_JWT_SECRET) is required")
	case *ttl <= 0:
		return errorf(stderr, "token", "--ttl must be positive")
	}
	tok, err := token.MintHS256([]byte(*secret), token.Claims{
		Issuer:      *issuer,
		Audience:    splitList(*audience),
		Subject:     *sub,
		Groups:      splitList(*groups),
		Permissions: splitList(*perms),
		TTL:         *ttl,
	})
	if err != nil {
		return errorf(stderr, "token", "%v", err)
	}
	fmt.Fprintln(stdout, tok)
	return exitOK
}

// splitList splits a comma-separated flag, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
