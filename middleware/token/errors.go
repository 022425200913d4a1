package token

import "errors"

var (
	// ErrMissingToken means the request carried no token at all.
	ErrMissingToken = errors.New("token: missing token")
	// ErrInvalidToken means a token was presented but is not acceptable:
	// malformed, badly signed, expired, for another issuer or audience, or
	// naming a key that does not exist. Errors wrapping it also wrap the
	// more precise cause (for example jwt.ErrTokenExpired).
	ErrInvalidToken = errors.New("token: invalid token")
	// ErrKeysUnavailable means the verification keys could not be fetched
	// and no cached key could decide. The token may well be valid: callers
	// answer "try again later" (503), never "allowed".
	ErrKeysUnavailable = errors.New("token: verification keys unavailable")
	// ErrUnknownKey means no configured or published key matches the
	// token's kid and algorithm. It is always wrapped with ErrInvalidToken.
	ErrUnknownKey = errors.New("token: unknown key")
	// ErrTooLarge means the token is longer than the configured maximum.
	// It is always wrapped with ErrInvalidToken.
	ErrTooLarge = errors.New("token: too large")
	// ErrNoIdentity means the token has no acceptable identity: no
	// identity claim is present, or the first present one is not a
	// non-empty printable string, or it is an unverified "email" (see
	// adapters.IdentityFromClaims). It is always wrapped with
	// ErrInvalidToken.
	ErrNoIdentity = errors.New("token: no identity claim")
	// ErrCriticalHeader means the token's "crit" header names extensions
	// the recipient must understand (RFC 7515, section 4.1.11). Warden
	// processes none, so every token with a "crit" header is refused. It
	// is always wrapped with ErrInvalidToken.
	ErrCriticalHeader = errors.New("token: critical header extension not supported")
	// ErrDuplicateMember means the token's header or claims name a member
	// twice, which readers resolve differently. It is always wrapped with
	// ErrInvalidToken.
	ErrDuplicateMember = errors.New("token: duplicate member")
	// ErrInvalidText means the token's header or claims are not Unicode
	// text: bytes that are not UTF-8, or an escaped UTF-16 surrogate
	// without its pair. encoding/json reads either as U+FFFD, so two
	// subjects that differ there would be one identity. It is always
	// wrapped with ErrInvalidToken.
	ErrInvalidText = errors.New("token: header or claims are not valid UTF-8 text")
	// ErrConfig is returned by New for an incomplete or unsafe configuration.
	ErrConfig = errors.New("token: bad configuration")
)
