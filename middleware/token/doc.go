// Package token verifies bearer JWTs and turns them into warden.Token.
//
// A Verifier checks, by default and without a way to switch it off: the
// signature against the configured keys; the algorithm against an allow-list
// derived from those keys (never "none", and an HMAC algorithm only when an
// HMAC secret is configured, so that a public RSA key can never be used as an
// HMAC secret); that "exp" is present and not passed; "nbf" and "iat"; that
// "iss" is present and equal to the configured issuer; that "aud" is present
// and holds one of the configured audiences; and a maximum token size.
//
// Keys come from an HMAC secret, PEM public keys (RSA, ECDSA, Ed25519), a
// JWKS URL or OIDC discovery. A JWKS is cached and refreshed on an interval,
// and also when a token names a key id the cache does not know. That refresh
// is rate limited to one every few seconds (not keyfunc's default of one per
// five minutes, which would let a single forged kid delay a real key rotation
// for minutes), and a request never waits for it longer than a short bound.
//
// Errors are classified by sentinels: ErrMissingToken and ErrInvalidToken
// mean the caller must authenticate (HTTP 401); ErrKeysUnavailable means the
// keys could not be fetched and nothing cached could decide (HTTP 503).
// When the JWKS endpoint is reachable, a token naming an unknown kid is
// invalid (401); when the last fetch failed, the key may exist but cannot be
// known, so the answer is ErrKeysUnavailable (503). A token whose kid is in
// the cache is verified even while the endpoint is down.
//
// A Verifier keeps the tokens it verified (WithCache, DefaultCacheSize):
// the same raw token presented again costs a map lookup and the time
// checks (exp, nbf, iat, against the clock, on every use) instead of a
// signature check and two JSON decodings. The cache is keyed by the whole
// raw token, never by identity, bounded, holds no refusal, and is emptied
// by every JWKS refresh.
package token
