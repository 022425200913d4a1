package token

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/wardenhq/warden"
)

// FromHeader returns the bearer token of the Authorization header. The
// scheme is matched case-insensitively (RFC 7235, section 2.1). It fails
// with ErrMissingToken when there is no Authorization header, and with
// ErrInvalidToken when the header is empty, repeated, of another scheme, or
// its credentials are not a single token68 (RFC 7235, section 2.1).
func FromHeader(h http.Header) (string, error) {
	cred, err := bearerCredentials(h)
	if err == nil && !isToken68(cred) {
		return "", errMalformedCredentials
	}
	return cred, err
}

// bearerCredentials is FromHeader without the token68 check of the
// credentials, which verifyHeader leaves for tokens its cache does not
// know as token68.
func bearerCredentials(h http.Header) (string, error) {
	values := h["Authorization"] // h.Values, without canonicalising a canonical key
	switch {
	case len(values) == 0:
		return "", ErrMissingToken
	case len(values) > 1:
		return "", fmt.Errorf("%w: %d Authorization headers", ErrInvalidToken, len(values))
	}
	scheme, cred, ok := strings.Cut(values[0], " ")
	switch {
	case values[0] == "":
		return "", fmt.Errorf("%w: empty Authorization header", ErrInvalidToken)
	case !ok || !strings.EqualFold(scheme, "Bearer"):
		return "", fmt.Errorf("%w: Authorization scheme is not Bearer", ErrInvalidToken)
	}
	return cred, nil
}

// errMalformedCredentials refuses credentials that are not token68.
var errMalformedCredentials = fmt.Errorf("%w: malformed bearer credentials", ErrInvalidToken)

// verifyHeader is FromHeader and verify in one: the bearer token of h,
// verified. A token the cache holds as token68 (see cached.token68) is
// answered from the cache without checking its characters again: it is
// byte for byte a token that passed the check. Any other goes through
// FromHeader's check, then verify, so that every answer, refusals
// included, is the one of FromHeader then verify.
func (v *Verifier) verifyHeader(ctx context.Context, h http.Header) (tok *warden.Token, e *cached, err error) {
	cred, err := bearerCredentials(h)
	if err != nil {
		return nil, nil, err
	}
	if e := v.cache.getToken68(cred, v.cfg.now(), v.cfg.leeway); e != nil {
		return e.tok, e, nil
	}
	if !isToken68(cred) {
		return nil, nil, errMalformedCredentials
	}
	return v.verify(ctx, cred)
}

// isToken68 reports whether s is token68: 1*( ALPHA / DIGIT / "-" / "." /
// "_" / "~" / "+" / "/" ) *"=".
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		if !token68Chars[body[i]] {
			return false
		}
	}
	return true
}

// token68Chars are the characters of token68 before its trailing "=": a
// table, since every request's header is read through it.
var token68Chars = alnumAnd("-._~+/")

// alnumAnd returns the table of the ASCII letters and digits and of extra.
func alnumAnd(extra string) (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range extra {
		t[c] = true
	}
	return t
}
