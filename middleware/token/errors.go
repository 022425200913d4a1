package token

import "github.com/wardenhq/warden"

// Every error matches one kind of the warden taxonomy: ErrKeysUnavailable
// matches warden.ErrUnavailable (503), ErrConfig warden.ErrInvalid, and
// every other one warden.ErrUnauthenticated (401), the precise causes of an
// invalid token included.
var (
	// ErrMissingToken means the request carried no token at all.
	ErrMissingToken = warden.NewError(warden.ErrUnauthenticated, "token: missing token")
	// ErrInvalidToken means a token was presented but is not acceptable:
	// malformed, badly signed, expired, for another issuer or audience, or
	// naming a key that does not exist. Errors wrapping it also wrap the
	// more precise cause (for example jwt.ErrTokenExpired).
	ErrInvalidToken = warden.NewError(warden.ErrUnauthenticated, "token: invalid token")
	// ErrKeysUnavailable means the verification keys could not be fetched
	// and no cached key could decide. The token may well be valid: callers
	// answer "try again later" (503), never "allowed".
	ErrKeysUnavailable = warden.NewError(warden.ErrUnavailable, "token: verification keys unavailable")
	// ErrUnknownKey means no configured or published key matches the
	// token's kid and algorithm. It is always wrapped with ErrInvalidToken.
	ErrUnknownKey = warden.NewError(warden.ErrUnauthenticated, "token: unknown key")
	// ErrTooLarge means the token is longer than the configured maximum.
	// It is always wrapped with ErrInvalidToken.
	ErrTooLarge = warden.NewError(warden.ErrUnauthenticated, "token: too large")
	// ErrNoIdentity means the token has no acceptable identity: no
	// identity claim is present, or the first present one is not a
	// non-empty printable string, or it is an unverified "email" (see
	// adapters.IdentityFromClaims). It is always wrapped with
	// ErrInvalidToken.
	ErrNoIdentity = warden.NewError(warden.ErrUnauthenticated, "token: no identity claim")
	// ErrCriticalHeader means the token's "crit" header names extensions
	// the recipient must understand (RFC 7515, section 4.1.11). Warden
	// processes none, so every token with a "crit" header is refused. It
	// is always wrapped with ErrInvalidToken.
	ErrCriticalHeader = warden.NewError(warden.ErrUnauthenticated, "token: critical header extension not supported")
	// ErrDuplicateMember means the token's header or claims name a member
	// twice, which readers resolve differently. It is always wrapped with
	// ErrInvalidToken.
	ErrDuplicateMember = warden.NewError(warden.ErrUnauthenticated, "token: duplicate member")
	// ErrInvalidText means the token's header or claims are not Unicode
	// text: bytes that are not UTF-8, or an escaped UTF-16 surrogate
	// without its pair. encoding/json reads either as U+FFFD, so two
	// subjects that differ there would be one identity. It is always
	// wrapped with ErrInvalidToken.
	ErrInvalidText = warden.NewError(warden.ErrUnauthenticated, "token: header or claims are not valid UTF-8 text")
	// ErrConfig is returned by New for an incomplete or unsafe configuration.
	ErrConfig = warden.NewError(warden.ErrInvalid, "token: bad configuration")
)
