package token

import (
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims describes a token to mint for development and tests.
type Claims struct {
	Issuer   string
	Audience []string
	Subject  string
	Groups   []string
	// Permissions go into a "permissions" claim when non-empty.
	Permissions []string
	// TTL is the lifetime from IssuedAt; it must be positive.
	TTL time.Duration
	// IssuedAt defaults to now.
	IssuedAt time.Time
	// Extra claims are added last and may not replace the registered ones.
	Extra map[string]any
}

// MintHS256 signs c with an HMAC secret. It exists for development (the
// `warden token` command and the demo apps), not for identity providers.
func MintHS256(secret []byte, c Claims) (string, error) {
	if len(secret) < MinHMACSecret {
		return "", fmt.Errorf("%w: HMAC secret is %d bytes, need at least %d", ErrConfig, len(secret), MinHMACSecret)
	}
	if c.TTL <= 0 || c.Issuer == "" || len(c.Audience) == 0 || c.Subject == "" {
		return "", fmt.Errorf("%w: minting needs issuer, audience, subject and a positive TTL", ErrConfig)
	}
	iat := c.IssuedAt
	if iat.IsZero() {
		iat = time.Now()
	}
	mc := jwt.MapClaims{}
	for k, v := range c.Extra {
		mc[k] = v
	}
	mc["iss"] = c.Issuer
	mc["sub"] = c.Subject
	mc["iat"] = iat.Unix()
	mc["exp"] = iat.Add(c.TTL).Unix()
	if len(c.Audience) == 1 {
		mc["aud"] = c.Audience[0]
	} else {
		mc["aud"] = c.Audience
	}
	if len(c.Groups) > 0 {
		mc["groups"] = c.Groups
	}
	if len(c.Permissions) > 0 {
		mc["permissions"] = c.Permissions
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, mc).SignedString(secret)
}
