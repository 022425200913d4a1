package sharedtoken

import (
	"context"
	"net/http"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden"
)

// Verify verifies raw with v, which must be a *token.Verifier, and returns
// the token. When shared is true the token is the cache's own: the caller
// must not modify it, nor hand it to code that may (Clone it first).
//
// Package token sets Verify when it is initialised; any package that has a
// *token.Verifier to pass has therefore imported it, so Verify is set
// wherever it can be called.
var Verify func(v any, ctx context.Context, raw string) (tok *warden.Token, shared bool, err error)

// VerifyHeader is Verify of the bearer token of h, read as
// token.FromHeader reads it, with its errors; set as Verify is.
var VerifyHeader func(v any, ctx context.Context, h http.Header) (tok *warden.Token, shared bool, err error)

// Mark is the parameter type of Reader's method. Only packages that can
// import this package can name it, so only they can declare the method.
type Mark struct{}

// Reader is a provider (warden.Provider) that only reads the token it is
// handed: it neither modifies it nor keeps it, nor anything in it, after
// Fetch returns. Such a provider is handed a shared token; any other is
// handed the request's private copy.
type Reader interface {
	ReadsTokenOnly(Mark)
}

// Clone returns a deep copy of tok. A decoded JWT holds only maps, lists
// and immutable scalars (strings, numbers, booleans, nil), so copying the
// maps and lists leaves nothing shared that can be modified.
func Clone(tok *warden.Token) *warden.Token {
	if tok == nil {
		return nil
	}
	c := *tok
	c.Header = cloneMap(tok.Header)
	c.Claims = cloneMap(tok.Claims)
	return &c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneMap(v)
	case jwt.MapClaims:
		return jwt.MapClaims(cloneMap(v))
	case []any:
		c := make([]any, len(v))
		for i, x := range v {
			c[i] = cloneValue(x)
		}
		return c
	case []string:
		return append([]string(nil), v...)
	}
	return v
}
