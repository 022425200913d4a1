package token_test

import (
	"context"
	"errors"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
)

// TestPublicKeyRefusesBytes: crypto.PublicKey is any, so WithPublicKey
// compiled with the PEM bytes of an RSA key (meant for WithPublicKeyPEM),
// and took them as an HMAC secret: the verifier then accepted HS256 tokens
// that anyone holding the public key signed with its PEM, the classic
// algorithm confusion. A []byte is refused; HMAC secrets go through
// WithHMACSecret only.
func TestPublicKeyRefusesBytes(t *testing.T) {
	rs := jwttest.RSA(t, "")
	pemBytes := rs.PEM(t)
	v, err := token.New(context.Background(), token.WithIssuer(iss), token.WithAudience(aud), token.WithClock(clock),
		token.WithPublicKey("", pemBytes))
	if err == nil {
		defer v.Close()
		forged, serr := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil)).SignedString(pemBytes)
		if serr != nil {
			t.Fatal(serr)
		}
		tok, verr := v.Verify(context.Background(), forged)
		t.Fatalf("WithPublicKey(PEM bytes) built a verifier (algorithms %v); an HS256 token signed with the public PEM: %v, %v",
			v.Algorithms(), tok != nil, verr)
	}
	if !errors.Is(err, token.ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
}
