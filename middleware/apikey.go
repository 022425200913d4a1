package middleware

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/middleware/token"
)

// DefaultAPIKeyHeader is where APIKeys looks for a key by default.
const DefaultAPIKeyHeader = "X-API-Key"

// HashAPIKey returns the hex SHA-256 of key, the form APIKeys stores. Keys
// are random and long, so a fast hash is enough; a leaked table does not
// reveal them.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// APIKeys authenticates services by static API keys held only as hashes.
type APIKeys struct {
	entries []apiKey
	header  string
	cookie  string
}

type apiKey struct {
	hash     [sha256.Size]byte
	identity string
}

// APIKeyOption configures APIKeys.
type APIKeyOption func(*APIKeys)

// APIKeyHeader reads the key from header name (DefaultAPIKeyHeader).
func APIKeyHeader(name string) APIKeyOption { return func(k *APIKeys) { k.header = name } }

// APIKeyCookie also reads the key from cookie name when the header is
// absent. A request carrying that cookie twice is refused.
func APIKeyCookie(name string) APIKeyOption { return func(k *APIKeys) { k.cookie = name } }

// NewAPIKeys returns an authenticator for keys given as HashAPIKey(key) →
// identity.
func NewAPIKeys(hashed map[string]string, opts ...APIKeyOption) (*APIKeys, error) {
	k := &APIKeys{header: DefaultAPIKeyHeader}
	for _, o := range opts {
		o(k)
	}
	for h, id := range hashed {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("middleware: API key hash for %q is not a hex SHA-256", id)
		}
		if id == "" {
			return nil, fmt.Errorf("middleware: API key hash %.8s… has no identity", h)
		}
		var e apiKey
		copy(e.hash[:], b)
		e.identity = id
		for _, o := range k.entries {
			if o.hash == e.hash { // one hash spelled twice (hex is case-insensitive)
				return nil, fmt.Errorf("middleware: API key hash %.8s… is given twice", h)
			}
		}
		k.entries = append(k.entries, e)
	}
	return k, nil
}

// Authenticate implements Authenticator. The presented key's hash is
// compared with every stored hash in constant time, so the response time
// says nothing about how close a guess was or which entry matched.
func (k *APIKeys) Authenticate(_ context.Context, r *http.Request) (*warden.Token, error) {
	values := r.Header.Values(k.header)
	var key string
	switch {
	case len(values) > 1:
		return nil, fmt.Errorf("%w: %d %s headers", token.ErrInvalidToken, len(values), k.header)
	case len(values) == 1:
		key = values[0]
	case k.cookie != "":
		// Repeated, the cookie is refused as the header is: a sibling
		// subdomain can set one that comes before the caller's own.
		switch cs := r.CookiesNamed(k.cookie); {
		case len(cs) > 1:
			return nil, fmt.Errorf("%w: %d %s cookies", token.ErrInvalidToken, len(cs), k.cookie)
		case len(cs) == 1:
			key = cs[0].Value
		}
	}
	if key == "" {
		if len(values) == 1 {
			return nil, fmt.Errorf("%w: empty %s header", token.ErrInvalidToken, k.header)
		}
		return nil, token.ErrMissingToken
	}
	sum := sha256.Sum256([]byte(key))
	match := -1
	for i := range k.entries {
		if subtle.ConstantTimeCompare(sum[:], k.entries[i].hash[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return nil, fmt.Errorf("%w: unknown API key", token.ErrInvalidToken)
	}
	id := k.entries[match].identity
	return &warden.Token{
		Header:   map[string]any{"typ": "api-key"},
		Claims:   map[string]any{"sub": id},
		Identity: id,
	}, nil
}
