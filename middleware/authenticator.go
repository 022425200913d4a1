package middleware

import (
	"context"
	"errors"
	"net/http"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/middleware/internal/sharedtoken"
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
func Bearer(v *token.Verifier) Authenticator { return bearer{v} }

// bearer is Bearer's authenticator.
type bearer struct{ v *token.Verifier }

// Authenticate implements Authenticator: the token is the caller's own.
func (b bearer) Authenticate(ctx context.Context, r *http.Request) (*warden.Token, error) {
	raw, err := token.FromHeader(r.Header)
	if err != nil {
		return nil, err
	}
	return b.v.Verify(ctx, raw)
}

// authenticateShared implements sharingAuthenticator: a token the
// verifier had cached is its own, not a copy.
func (b bearer) authenticateShared(ctx context.Context, r *http.Request) (*warden.Token, bool, *sharedtoken.Memo, error) {
	return sharedtoken.VerifyHeader(b.v, ctx, r.Header)
}

// sharingAuthenticator is an Authenticator of this package that can hand
// over a token it shares with other requests (shared true), which the
// middleware reads but never modifies nor gives to code that may: User
// copies it the first time such code asks (see User.Claims). memo is the
// token's cache entry's Memo, when the verifier keeps it.
type sharingAuthenticator interface {
	authenticateShared(ctx context.Context, r *http.Request) (tok *warden.Token, shared bool, memo *sharedtoken.Memo, err error)
}

// errAuthenticatorPanic stands for an Authenticator that panicked: the
// caller is unknown, which must be refused (503, as a panicking provider),
// never drop the connection.
var errAuthenticatorPanic = errors.New("middleware: authenticator panicked")

// safeAuthenticate is authenticateWith, a panic being errAuthenticatorPanic:
// an Authenticator may be the application's code. sharing is a as a
// sharingAuthenticator, nil when it is not one: found once, when the Auth
// is built, rather than by a type assertion on every request.
func safeAuthenticate(ctx context.Context, a Authenticator, sharing sharingAuthenticator, r *http.Request) (tok *warden.Token, shared bool, memo *sharedtoken.Memo, err error) {
	defer func() {
		if recover() != nil {
			tok, shared, memo, err = nil, false, nil, errAuthenticatorPanic
		}
	}()
	if sharing != nil {
		return sharing.authenticateShared(ctx, r)
	}
	tok, err = a.Authenticate(ctx, r)
	return tok, false, nil, err
}

// authenticateWith runs a, taking a shared token when a can hand one over.
func authenticateWith(ctx context.Context, a Authenticator, r *http.Request) (*warden.Token, bool, *sharedtoken.Memo, error) {
	if s, ok := a.(sharingAuthenticator); ok {
		return s.authenticateShared(ctx, r)
	}
	tok, err := a.Authenticate(ctx, r)
	return tok, false, nil, err
}

// FirstOf tries authenticators in order and uses the first whose kind of
// credentials the request carries. Bad credentials of one kind are not
// retried as another kind: a wrong API key must not fall through to
// anonymous access or a weaker scheme.
func FirstOf(as ...Authenticator) Authenticator { return firstOf(as) }

// firstOf is FirstOf's authenticator.
type firstOf []Authenticator

// Authenticate implements Authenticator.
func (f firstOf) Authenticate(ctx context.Context, r *http.Request) (*warden.Token, error) {
	for _, a := range f {
		tok, err := a.Authenticate(ctx, r)
		if errors.Is(err, token.ErrMissingToken) {
			continue
		}
		return tok, err
	}
	return nil, token.ErrMissingToken
}

// authenticateShared implements sharingAuthenticator, as Authenticate.
func (f firstOf) authenticateShared(ctx context.Context, r *http.Request) (*warden.Token, bool, *sharedtoken.Memo, error) {
	for _, a := range f {
		tok, shared, memo, err := authenticateWith(ctx, a, r)
		if errors.Is(err, token.ErrMissingToken) {
			continue
		}
		return tok, shared, memo, err
	}
	return nil, false, nil, token.ErrMissingToken
}
