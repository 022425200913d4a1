package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
)

// MinHMACSecret is the shortest HMAC secret New accepts. A shorter secret is
// guessable offline from any token signed with it.
const MinHMACSecret = 32

// Algorithm families a key can verify. An HMAC family exists only for an
// HMAC secret: no public key ever verifies an HS* token.
var (
	hmacAlgs    = []string{"HS256", "HS384", "HS512"}
	rsaAlgs     = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	ed25519Algs = []string{"EdDSA"}
	// publicAlgs is what a JWKS may publish; its key types are not known in
	// advance, but they are never symmetric.
	publicAlgs = slices.Concat(rsaAlgs, []string{"ES256", "ES384", "ES512"}, ed25519Algs)
)

// staticKey is a configured key and the algorithms it may verify.
type staticKey struct {
	kid  string
	key  any
	algs []string
}

func (k staticKey) allows(alg string) bool { return slices.Contains(k.algs, alg) }

// newStaticKey checks a key and derives its algorithms from its type.
func newStaticKey(kid string, key any) (staticKey, error) {
	switch k := key.(type) {
	case []byte:
		if len(k) < MinHMACSecret {
			return staticKey{}, fmt.Errorf("%w: HMAC secret is %d bytes, need at least %d", ErrConfig, len(k), MinHMACSecret)
		}
		return staticKey{kid: kid, key: k, algs: hmacAlgs}, nil
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return staticKey{}, fmt.Errorf("%w: RSA key %q has %d bits, need at least 2048", ErrConfig, kid, k.N.BitLen())
		}
		return staticKey{kid: kid, key: k, algs: rsaAlgs}, nil
	case *ecdsa.PublicKey:
		var alg string
		switch k.Curve {
		case elliptic.P256():
			alg = "ES256"
		case elliptic.P384():
			alg = "ES384"
		case elliptic.P521():
			alg = "ES512"
		default:
			return staticKey{}, fmt.Errorf("%w: ECDSA key %q has an unsupported curve", ErrConfig, kid)
		}
		return staticKey{kid: kid, key: k, algs: []string{alg}}, nil
	case ed25519.PublicKey:
		return staticKey{kid: kid, key: k, algs: ed25519Algs}, nil
	case nil:
		return staticKey{}, fmt.Errorf("%w: nil key %q", ErrConfig, kid)
	default:
		return staticKey{}, fmt.Errorf("%w: key %q has unsupported type %T (want an HMAC secret or an RSA, ECDSA or Ed25519 public key)", ErrConfig, kid, key)
	}
}

// ParsePublicKeyPEM parses a PEM "PUBLIC KEY" (PKIX), "RSA PUBLIC KEY"
// (PKCS #1) or "CERTIFICATE" block into an RSA, ECDSA or Ed25519 public key.
// Private keys are refused: a verifier must never hold one.
func ParsePublicKeyPEM(data []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block found", ErrConfig)
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PUBLIC KEY: %w", ErrConfig, err)
		}
		return k, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: RSA PUBLIC KEY: %w", ErrConfig, err)
		}
		return k, nil
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: CERTIFICATE: %w", ErrConfig, err)
		}
		return c.PublicKey, nil
	default:
		return nil, fmt.Errorf("%w: PEM block %q is not a public key", ErrConfig, block.Type)
	}
}
