package token

import (
	"crypto"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/wardenhq/warden/adapters"
)

// Defaults of a Verifier.
const (
	// DefaultMaxSize bounds an encoded token. Real tokens are far smaller;
	// the bound keeps a hostile header from costing parse time and memory.
	DefaultMaxSize = 8 << 10
	// DefaultRefreshInterval is how often a JWKS is fetched in the background.
	DefaultRefreshInterval = 5 * time.Minute
	// DefaultUnknownKIDRefresh is the least time between two JWKS fetches
	// caused by tokens naming an unknown kid. A few seconds means a newly
	// published key is accepted within seconds, while a stream of forged
	// kids costs the identity provider at most one request per interval.
	DefaultUnknownKIDRefresh = 3 * time.Second
	// DefaultMaxWait bounds how long a request waits for an unknown-kid
	// refresh (the rate limiter and the fetch together).
	DefaultMaxWait = 2 * time.Second
	// DefaultHTTPTimeout bounds a background JWKS or discovery fetch.
	DefaultHTTPTimeout = 5 * time.Second
)

// DefaultIdentityClaims is where the caller's identity is read: "sub"
// alone (adapters.DefaultIdentityClaims, whose rules apply).
var DefaultIdentityClaims = adapters.DefaultIdentityClaims

// Option configures a Verifier.
type Option func(*config)

// JWKSRefresh tunes how a remote JWKS is cached. Zero fields keep defaults.
type JWKSRefresh struct {
	// Interval between background fetches (DefaultRefreshInterval).
	Interval time.Duration
	// UnknownKID is the least time between fetches caused by an unknown kid
	// (DefaultUnknownKIDRefresh).
	UnknownKID time.Duration
	// MaxWait bounds a request's wait for such a fetch (DefaultMaxWait).
	MaxWait time.Duration
	// Timeout bounds a background fetch (DefaultHTTPTimeout).
	Timeout time.Duration
}

type config struct {
	issuer         string
	audiences      []string
	audienceClaim  string
	leeway         time.Duration
	maxSize        int
	identityClaims []string
	required       [][2]string
	keys           []staticKey
	errs           []error
	jwksURL        string
	discovery      bool
	httpClient     *http.Client
	refresh        JWKSRefresh
	now            func() time.Time
	logger         *slog.Logger
	cacheSize      int
	// onRefresh is called around each JWKS fetch that changed the keys.
	onRefresh func()
}

func defaultConfig() config {
	return config{
		audienceClaim:  "aud",
		maxSize:        DefaultMaxSize,
		identityClaims: DefaultIdentityClaims,
		httpClient:     http.DefaultClient,
		refresh: JWKSRefresh{
			Interval:   DefaultRefreshInterval,
			UnknownKID: DefaultUnknownKIDRefresh,
			MaxWait:    DefaultMaxWait,
			Timeout:    DefaultHTTPTimeout,
		},
		now:       time.Now,
		logger:    slog.Default(),
		cacheSize: DefaultCacheSize,
	}
}

func (c *config) addKey(kid string, key any) {
	k, err := newStaticKey(kid, key)
	if err != nil {
		c.errs = append(c.errs, err)
		return
	}
	c.keys = append(c.keys, k)
}

// WithHMACSecret adds an HMAC secret (at least MinHMACSecret bytes). It is
// the only way HS256/HS384/HS512 tokens are ever accepted.
func WithHMACSecret(secret []byte) Option {
	return func(c *config) { c.addKey("", append([]byte(nil), secret...)) }
}

// WithPublicKey adds an RSA, ECDSA or Ed25519 public key. A non-empty kid
// restricts the key to tokens naming that kid; tokens without a kid are
// tried against every key of a fitting type. Bytes are refused (ErrConfig):
// crypto.PublicKey is any, and PEM bytes meant for WithPublicKeyPEM would
// otherwise be an HMAC secret that anyone holding the public key can sign
// HS256 tokens with.
func WithPublicKey(kid string, key crypto.PublicKey) Option {
	return func(c *config) {
		if _, isBytes := key.([]byte); isBytes {
			c.errs = append(c.errs, fmt.Errorf("%w: public key %q is bytes: use WithPublicKeyPEM for a PEM key, WithHMACSecret for a secret", ErrConfig, kid))
			return
		}
		c.addKey(kid, key)
	}
}

// WithPublicKeyPEM is WithPublicKey for a PEM-encoded key (see
// ParsePublicKeyPEM).
func WithPublicKeyPEM(kid string, pemData []byte) Option {
	return func(c *config) {
		k, err := ParsePublicKeyPEM(pemData)
		if err != nil {
			c.errs = append(c.errs, fmt.Errorf("public key %q: %w", kid, err))
			return
		}
		c.addKey(kid, k)
	}
}

// WithJWKSURL verifies tokens with the keys published at url.
func WithJWKSURL(url string) Option { return func(c *config) { c.jwksURL = url } }

// WithOIDCDiscovery finds the JWKS URL in the issuer's
// /.well-known/openid-configuration when New runs. The document's issuer
// must equal the configured one (OpenID Connect Discovery 1.0, section 4.3),
// and an https issuer's jwks_uri must be https.
func WithOIDCDiscovery() Option { return func(c *config) { c.discovery = true } }

// WithIssuer sets the required "iss". It is mandatory.
func WithIssuer(iss string) Option { return func(c *config) { c.issuer = iss } }

// WithAudience sets the accepted audiences; a token must name one of them.
// At least one is mandatory.
func WithAudience(aud ...string) Option {
	return func(c *config) { c.audiences = append([]string(nil), aud...) }
}

// WithAudienceClaim reads the audience from another claim than "aud"; AWS
// Cognito access tokens carry their client in "client_id" and have no "aud".
func WithAudienceClaim(name string) Option { return func(c *config) { c.audienceClaim = name } }

// WithLeeway allows for clock skew when checking exp, nbf and iat. Default 0.
func WithLeeway(d time.Duration) Option { return func(c *config) { c.leeway = d } }

// WithMaxSize bounds the encoded token in bytes (DefaultMaxSize).
func WithMaxSize(n int) Option { return func(c *config) { c.maxSize = n } }

// WithIdentityClaims sets the claims read, in order, for the identity
// (DefaultIdentityClaims), with the rules of adapters.IdentityFromClaims: a
// later claim is read only when every earlier one is absent, a present claim
// that is not a non-empty string refuses the token, and "email" counts only
// with "email_verified": true. Name only claims the identity provider
// assigns and the user cannot edit: at many providers "preferred_username"
// and "username" are chosen by the user.
func WithIdentityClaims(names ...string) Option {
	return func(c *config) { c.identityClaims = append([]string(nil), names...) }
}

// WithRequiredClaim requires a string claim to have exactly value, such as
// Cognito's token_use.
func WithRequiredClaim(name, value string) Option {
	return func(c *config) { c.required = append(c.required, [2]string{name, value}) }
}

// WithHTTPClient sets the client for JWKS and discovery fetches. The
// verifier uses a copy that refuses a redirect from https to plain http.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithJWKSRefresh tunes JWKS caching; zero fields keep their defaults.
func WithJWKSRefresh(r JWKSRefresh) Option {
	return func(c *config) {
		if r.Interval > 0 {
			c.refresh.Interval = r.Interval
		}
		if r.UnknownKID > 0 {
			c.refresh.UnknownKID = r.UnknownKID
		}
		if r.MaxWait > 0 {
			c.refresh.MaxWait = r.MaxWait
		}
		if r.Timeout > 0 {
			c.refresh.Timeout = r.Timeout
		}
	}
}

// WithClock sets the time source for exp, nbf and iat checks.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithLogger sets where JWKS refresh failures are logged (slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }
