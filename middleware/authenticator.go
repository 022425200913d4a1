package middleware

import (
	"context"
	"errors"
	"net/http"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/middleware/token"
)

// Authenticator finds and verifies the caller's credentials. It returns an
// error wrapping token.ErrMissingToken when the request carries none of its
// kind, token.ErrInvalidToken when they are bad, and
// token.ErrKeysUnavailable when it cannot tell.
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request) (*warden.Token, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(ctx context.Context, r *http.Request) (*warden.Token, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, r *http.Request) (*warden.Token, error) {
	return f(ctx, r)
}

// Bearer authenticates the Authorization: Bearer header with v.
func Bearer(v *token.Verifier) Authenticator {
	return AuthenticatorFunc(func(ctx context.Context, r *http.Request) (*warden.Token, error) {
		raw, err := token.FromHeader(r.Header)
		if err != nil {
			return nil, err
		}
		return v.Verify(ctx, raw)
	})
}

// FirstOf tries authenticators in order and uses the first whose kind of
// credentials the request carries. Bad credentials of one kind are not
// retried as another kind: a wrong API key must not fall through to
// anonymous access or a weaker scheme.
func FirstOf(as ...Authenticator) Authenticator {
	return AuthenticatorFunc(func(ctx context.Context, r *http.Request) (*warden.Token, error) {
		for _, a := range as {
			tok, err := a.Authenticate(ctx, r)
			if errors.Is(err, token.ErrMissingToken) {
				continue
			}
			return tok, err
		}
		return nil, token.ErrMissingToken
	})
}
