package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/middleware/internal/sharedtoken"
)

// Verifier checks bearer tokens. It is safe for concurrent use.
type Verifier struct {
	cfg    config
	cache  *cache // nil without WithCache
	parser *jwt.Parser
	remote *remoteKeys
	cancel context.CancelFunc
}

// New returns a Verifier. ctx bounds OIDC discovery; the JWKS refresh runs
// until Close. New fails with ErrConfig when no key, issuer or audience is
// configured, or a key is unusable.
func New(ctx context.Context, opts ...Option) (*Verifier, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := errors.Join(cfg.errs...); err != nil {
		return nil, err
	}
	switch {
	case cfg.issuer == "":
		return nil, fmt.Errorf("%w: an issuer is required", ErrConfig)
	case len(cfg.audiences) == 0 || slices.Contains(cfg.audiences, ""):
		return nil, fmt.Errorf("%w: at least one non-empty audience is required", ErrConfig)
	case cfg.maxSize <= 0:
		return nil, fmt.Errorf("%w: max size must be positive", ErrConfig)
	case len(cfg.identityClaims) == 0 || slices.Contains(cfg.identityClaims, ""):
		return nil, fmt.Errorf("%w: at least one non-empty identity claim is required", ErrConfig)
	case cfg.leeway < 0:
		return nil, fmt.Errorf("%w: negative leeway", ErrConfig)
	}
	cfg.httpClient = noDowngrade(cfg.httpClient)
	if cfg.discovery && cfg.jwksURL == "" {
		u, err := discover(ctx, cfg.httpClient, cfg.issuer)
		if err != nil {
			return nil, err
		}
		cfg.jwksURL = u
	}
	if len(cfg.keys) == 0 && cfg.jwksURL == "" {
		return nil, fmt.Errorf("%w: no key: configure an HMAC secret, a public key, a JWKS URL or OIDC discovery", ErrConfig)
	}

	v := &Verifier{cfg: cfg, cache: newCache(cfg.cacheSize)}
	if cfg.jwksURL != "" {
		bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
		cfg.onRefresh = v.cache.refreshed
		r, err := newRemoteKeys(bg, cfg.jwksURL, &cfg)
		if err != nil {
			cancel()
			return nil, err
		}
		v.remote, v.cancel = r, cancel
	}
	popts := []jwt.ParserOption{
		jwt.WithValidMethods(v.Algorithms()),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(cfg.issuer),
		jwt.WithLeeway(cfg.leeway),
		jwt.WithTimeFunc(cfg.now),
		// RFC 7515 section 2 defines one base64url spelling of each
		// segment; without strict decoding a signature with non-zero
		// trailing bits (a second spelling of the same bytes) verifies.
		jwt.WithStrictDecoding(),
	}
	if cfg.audienceClaim == "aud" {
		popts = append(popts, jwt.WithAudience(cfg.audiences...))
	}
	v.parser = jwt.NewParser(popts...)
	return v, nil
}

// Close stops the JWKS refresh. The Verifier still verifies with the keys
// it has.
func (v *Verifier) Close() error {
	if v.cancel != nil {
		v.cancel()
	}
	return nil
}

// Issuer returns the required issuer.
func (v *Verifier) Issuer() string { return v.cfg.issuer }

// Algorithms returns the accepted "alg" values, derived from the keys.
func (v *Verifier) Algorithms() []string {
	var algs []string
	for _, k := range v.cfg.keys {
		algs = append(algs, k.algs...)
	}
	if v.cfg.jwksURL != "" {
		algs = append(algs, publicAlgs...)
	}
	slices.Sort(algs)
	return slices.Compact(algs)
}

// Verify checks raw and returns the token with its identity. The error wraps
// ErrMissingToken, ErrInvalidToken (with the precise cause, such as
// jwt.ErrTokenExpired or ErrUnknownKey) or ErrKeysUnavailable.
func (v *Verifier) Verify(ctx context.Context, raw string) (*warden.Token, error) {
	tok, e, err := v.verify(ctx, raw)
	if e != nil {
		tok = sharedtoken.Clone(tok) // the caller may modify its token
	}
	return tok, err
}

func init() {
	sharedtoken.Verify = func(v any, ctx context.Context, raw string) (*warden.Token, bool, *sharedtoken.Memo, error) {
		tok, e, err := v.(*Verifier).verify(ctx, raw)
		// Cached or not, the middleware only reads a verified token, and
		// copies it for code that may modify it: the same rule whether
		// this request verified it or an earlier one did.
		return tok, err == nil, memoOf(e), err
	}
	sharedtoken.VerifyHeader = func(v any, ctx context.Context, h http.Header) (*warden.Token, bool, *sharedtoken.Memo, error) {
		tok, e, err := v.(*Verifier).verifyHeader(ctx, h)
		return tok, err == nil, memoOf(e), err // as Verify above
	}
}

// verify is Verify without the copy: e, when not nil, is the cache entry
// whose token tok is (found there, or kept there now), which nothing may
// modify.
func (v *Verifier) verify(ctx context.Context, raw string) (tok *warden.Token, e *cached, err error) {
	if raw == "" {
		return nil, nil, ErrMissingToken
	}
	if len(raw) > v.cfg.maxSize {
		return nil, nil, fmt.Errorf("%w: %w: %d bytes, max %d", ErrInvalidToken, ErrTooLarge, len(raw), v.cfg.maxSize)
	}
	if e := v.cache.get(raw, v.cfg.now(), v.cfg.leeway); e != nil {
		return e.tok, e, nil
	}
	var gen uint64
	if v.cache != nil {
		gen = v.cache.gen.Load()
	}
	if !isCompactJWS(raw) {
		// Go's base64 decoders skip '\r' and '\n', strict decoding
		// included, and the signature is not part of the signed text: a
		// line break in it, or after it, was a second spelling of the
		// same verified token.
		return nil, nil, fmt.Errorf("%w: %w: a byte that is not base64url or a dot", ErrInvalidToken, jwt.ErrTokenMalformed)
	}
	if err := v.checkSegments(raw); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	claims := jwt.MapClaims{}
	t, err := v.parser.ParseWithClaims(raw, claims, v.keyfunc(ctx))
	if err != nil {
		if errors.Is(err, ErrKeysUnavailable) {
			return nil, nil, fmt.Errorf("%w", ErrKeysUnavailable)
		}
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if err := v.checkClaims(claims); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	id, err := adapters.IdentityFromClaims(claims, v.cfg.identityClaims...)
	if err != nil {
		// The cause's text, not the error: adapters.ErrNoIdentity means a
		// provider was handed a token without identity (403), while this
		// token is invalid (401).
		return nil, nil, fmt.Errorf("%w: %w: %s", ErrInvalidToken, ErrNoIdentity, err.Error())
	}
	tok = &warden.Token{Raw: raw, Header: t.Header, Claims: claims, Identity: id}
	return tok, v.cache.put(raw, tok, claims, gen), nil // nil entry: not kept
}

// isCompactJWS reports whether s has only the bytes of a compact JWS:
// base64url without padding, and dots (RFC 7515, section 7.1).
func isCompactJWS(s string) bool {
	for i := 0; i < len(s); i++ {
		if !jwsChars[s[i]] {
			return false
		}
	}
	return true
}

// jwsChars are the bytes isCompactJWS accepts.
var jwsChars = alnumAnd("-_.")

// maxNumericDate is 9999-12-31T23:59:59Z, the latest exp, nbf or iat a
// token may carry.
const maxNumericDate = 253402300799

// checkClaims runs the checks jwt's validator has no option for.
func (v *Verifier) checkClaims(claims jwt.MapClaims) error {
	// jwt converts a NumericDate to int64 seconds, and a value beyond
	// that range overflows to the distant past: nbf 1e300 read as "valid
	// since forever", iat 1e300 as issued long ago. Such a date, or a
	// negative one, is refused rather than read.
	for _, name := range [...]string{"exp", "nbf", "iat"} {
		if raw, ok := claims[name]; ok {
			if f, isNum := raw.(float64); isNum && (f < 0 || f > maxNumericDate) {
				return fmt.Errorf("%w: %s is out of range", jwt.ErrTokenInvalidClaims, name)
			}
		}
	}
	if v.cfg.audienceClaim != "aud" {
		got, _ := claims[v.cfg.audienceClaim].(string)
		if got == "" || !slices.Contains(v.cfg.audiences, got) {
			return fmt.Errorf("%w: %s", jwt.ErrTokenInvalidAudience, v.cfg.audienceClaim)
		}
	}
	for _, rc := range v.cfg.required {
		if got, _ := claims[rc[0]].(string); got != rc[1] {
			return fmt.Errorf("%w: %s", jwt.ErrTokenInvalidClaims, rc[0])
		}
	}
	return nil
}

// keyfunc picks the key for a token. Static keys are matched by algorithm
// family first, so an HMAC secret is only ever offered for HS* tokens and a
// public key only for its own algorithms.
func (v *Verifier) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		// Header checks come before any key is looked up, so that a token
		// Warden must refuse cannot cause a JWKS fetch either.
		if err := checkHeader(t.Header); err != nil {
			return nil, err
		}
		alg := t.Method.Alg()
		var kid string
		if raw, ok := t.Header["kid"]; ok {
			s, isString := raw.(string)
			if !isString {
				return nil, fmt.Errorf("%w: kid is not a string", ErrUnknownKey)
			}
			kid = s
		}
		var byKID, anyKID []jwt.VerificationKey
		for _, k := range v.cfg.keys {
			if !k.allows(alg) {
				continue
			}
			switch {
			case kid != "" && k.kid == kid:
				byKID = append(byKID, k.key)
			case k.kid == "" || kid == "":
				anyKID = append(anyKID, k.key)
			}
		}
		switch {
		case len(byKID) == 1:
			return byKID[0], nil
		case len(byKID) > 1:
			return jwt.VerificationKeySet{Keys: byKID}, nil
		case v.remote != nil && slices.Contains(publicAlgs, alg) && (kid != "" || len(anyKID) == 0):
			// A kid no static key claims belongs to the JWKS.
			return v.remote.key(ctx, t)
		case len(anyKID) == 1:
			return anyKID[0], nil
		case len(anyKID) > 1:
			return jwt.VerificationKeySet{Keys: anyKID}, nil
		}
		return nil, ErrUnknownKey
	}
}
