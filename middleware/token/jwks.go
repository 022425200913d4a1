package token

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// remoteKeys is a cached JWKS that knows whether its last fetch worked, so
// that a miss can be told apart: "no such key" (401) or "cannot know" (503).
type remoteKeys struct {
	url       string
	logger    *slog.Logger
	kf        keyfunc.Keyfunc
	reachable atomic.Bool
}

// signingUses are the JWK "use" values of a key that may verify a
// signature: "sig", or none (RFC 7517, section 4.2 makes "use" optional). A
// key published for encryption ("enc") never verifies a token: a provider
// that publishes both keeps them apart, and an encryption key may be one an
// attacker can obtain or influence.
var signingUses = []jwkset.USE{jwkset.UseSig, ""}

// trackedStore marks the JWKS reachable whenever a fetch replaced the keys:
// jwkset calls KeyReplaceAll only after a successful fetch and decode.
// It also tells the verifier, whose cache of verified tokens must not
// outlive the keys that verified them, of every change of the keys.
//
// A fetch that brings back the keys it holds changes nothing, and keeps
// the cache: a token naming an unknown kid makes the verifier fetch again
// (at most once per JWKSRefresh.UnknownKID), and anyone could otherwise
// empty the cache that often with forged kids.
type trackedStore struct {
	jwkset.Storage
	reachable *atomic.Bool
	changed   func()
	// replacing orders KeyReplaceAll's read, comparison and write: two
	// fetches at once (a refresh and an unknown kid's) must not both
	// compare with the keys before either wrote.
	replacing *sync.Mutex
}

func (s trackedStore) KeyReplaceAll(ctx context.Context, given []jwkset.JWK) error {
	s.replacing.Lock()
	defer s.replacing.Unlock()
	if held, err := s.Storage.KeyReadAll(ctx); err == nil && sameKeys(held, given) {
		s.reachable.Store(true)
		return nil
	}
	s.changed() // before and after: a verification between the two is stale too
	err := s.Storage.KeyReplaceAll(ctx, given)
	s.changed()
	if err == nil {
		s.reachable.Store(true)
	}
	return err
}

// sameKeys reports whether a and b are the same keys in the same order,
// compared by their JSON form (kid, alg, use and the key material).
func sameKeys(a, b []jwkset.JWK) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, errX := json.Marshal(a[i].Marshal())
		y, errY := json.Marshal(b[i].Marshal())
		if errX != nil || errY != nil || !bytes.Equal(x, y) {
			return false
		}
	}
	return true
}

func (s trackedStore) KeyDelete(ctx context.Context, keyID string) (bool, error) {
	ok, err := s.Storage.KeyDelete(ctx, keyID)
	s.changed()
	return ok, err
}

func (s trackedStore) KeyWrite(ctx context.Context, jwk jwkset.JWK) error {
	err := s.Storage.KeyWrite(ctx, jwk)
	s.changed()
	return err
}

// newRemoteKeys starts caching url. bg ends the refresh goroutine. The first
// fetch may fail: the verifier then answers ErrKeysUnavailable until a later
// fetch works, rather than refusing to start while the provider is down.
func newRemoteKeys(bg context.Context, url string, c *config) (*remoteKeys, error) {
	r := &remoteKeys{url: url, logger: c.logger}
	logger := c.logger
	storage, err := jwkset.NewStorageFromHTTP(url, jwkset.HTTPClientStorageOptions{
		Client:                    c.httpClient,
		Ctx:                       bg,
		HTTPTimeout:               c.refresh.Timeout,
		NoErrorReturnFirstHTTPReq: true,
		RefreshInterval:           c.refresh.Interval,
		Storage: trackedStore{Storage: jwkset.NewMemoryStorage(), reachable: &r.reachable, changed: c.onRefresh,
			replacing: new(sync.Mutex)},
		RefreshErrorHandler: func(ctx context.Context, err error) {
			r.reachable.Store(false)
			logger.WarnContext(ctx, "token: JWKS fetch failed", "url", url, "error", err)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: JWKS %q: %w", ErrConfig, url, err)
	}
	client, err := jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
		HTTPURLs: map[string]jwkset.Storage{url: storage},
		// The limiter wait and the fetch share this bound, so that no
		// request waits long for a key that may not exist.
		RateLimitWaitMax:  c.refresh.MaxWait,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(c.refresh.UnknownKID), 1),
	})
	if err != nil {
		return nil, fmt.Errorf("%w: JWKS %q: %w", ErrConfig, url, err)
	}
	kf, err := keyfunc.New(keyfunc.Options{Ctx: bg, Storage: client, UseWhitelist: signingUses})
	if err != nil {
		return nil, fmt.Errorf("%w: JWKS %q: %w", ErrConfig, url, err)
	}
	r.kf = kf
	return r, nil
}

// key finds the key for t. keyfunc checks a kid's key for its "use" and
// "alg"; a token without a kid is tried against every published key that
// passes the same checks (jwt checks that each key's type fits the
// algorithm).
func (r *remoteKeys) key(ctx context.Context, t *jwt.Token) (any, error) {
	if _, hasKID := t.Header["kid"]; !hasKID {
		set, err := r.signingKeys(ctx, t.Method.Alg())
		if err == nil && len(set.Keys) > 0 {
			return set, nil
		}
		return nil, r.miss(ctx, err)
	}
	k, err := r.kf.KeyfuncCtx(ctx)(t)
	if err != nil {
		return nil, r.miss(ctx, err)
	}
	return k, nil
}

// miss classifies a failed lookup. The cause is logged, not returned, so
// that it cannot reach a response body.
func (r *remoteKeys) miss(ctx context.Context, cause error) error {
	if !r.reachable.Load() {
		return fmt.Errorf("%w: JWKS %s not reachable", ErrKeysUnavailable, r.url)
	}
	if cause != nil {
		r.logger.DebugContext(ctx, "token: key lookup failed", "url", r.url, "error", cause)
	}
	return ErrUnknownKey
}

// signingKeys is keyfunc's VerificationKeySet without the keys keyfunc
// would refuse for alg when a kid names them: those whose "use" is not in
// signingUses and those published for another algorithm.
func (r *remoteKeys) signingKeys(ctx context.Context, alg string) (jwt.VerificationKeySet, error) {
	all, err := r.kf.Storage().KeyReadAll(ctx)
	if err != nil {
		return jwt.VerificationKeySet{}, err
	}
	var set jwt.VerificationKeySet
	for _, j := range all {
		m := j.Marshal()
		if !slices.Contains(signingUses, m.USE) || (m.ALG != "" && m.ALG.String() != alg) {
			continue
		}
		key := j.Key()
		if pk, ok := key.(interface{ Public() crypto.PublicKey }); ok {
			key = pk.Public() // a private JWK verifies as its public half
		}
		set.Keys = append(set.Keys, key)
	}
	return set, nil
}
