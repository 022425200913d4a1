package token

import (
	"context"
	"fmt"
	"log/slog"
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

// trackedStore marks the JWKS reachable whenever a fetch replaced the keys:
// jwkset calls KeyReplaceAll only after a successful fetch and decode.
type trackedStore struct {
	jwkset.Storage
	reachable *atomic.Bool
}

func (s trackedStore) KeyReplaceAll(ctx context.Context, given []jwkset.JWK) error {
	err := s.Storage.KeyReplaceAll(ctx, given)
	if err == nil {
		s.reachable.Store(true)
	}
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
		Storage:                   trackedStore{Storage: jwkset.NewMemoryStorage(), reachable: &r.reachable},
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
	kf, err := keyfunc.New(keyfunc.Options{Ctx: bg, Storage: client})
	if err != nil {
		return nil, fmt.Errorf("%w: JWKS %q: %w", ErrConfig, url, err)
	}
	r.kf = kf
	return r, nil
}

// key finds the key for t. A token without a kid is tried against every
// published key (jwt checks that each key's type fits the algorithm).
func (r *remoteKeys) key(ctx context.Context, t *jwt.Token) (any, error) {
	if _, hasKID := t.Header["kid"]; !hasKID {
		set, err := r.kf.VerificationKeySet(ctx)
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
