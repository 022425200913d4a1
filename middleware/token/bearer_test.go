package token_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/wardenhq/warden/middleware/token"
)

func TestFromHeader(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
		err    error
	}{
		{"bearer", []string{"Bearer abc.def.ghi"}, "abc.def.ghi", nil},
		{"lower case scheme", []string{"bearer abc.def.ghi"}, "abc.def.ghi", nil},
		{"mixed case scheme", []string{"BeArEr abc"}, "abc", nil},
		{"padding", []string{"Bearer abc=="}, "abc==", nil},
		{"missing", nil, "", token.ErrMissingToken},
		{"empty", []string{""}, "", token.ErrInvalidToken},
		{"scheme only", []string{"Bearer"}, "", token.ErrInvalidToken},
		{"scheme and space", []string{"Bearer "}, "", token.ErrInvalidToken},
		{"two spaces", []string{"Bearer  abc"}, "", token.ErrInvalidToken},
		{"basic", []string{"Basic YWxpY2U6cHc="}, "", token.ErrInvalidToken},
		{"doubled header", []string{"Bearer a", "Bearer b"}, "", token.ErrInvalidToken},
		{"two tokens in one header", []string{"Bearer a, Bearer b"}, "", token.ErrInvalidToken},
		{"trailing junk", []string{"Bearer a b"}, "", token.ErrInvalidToken},
		{"only padding", []string{"Bearer =="}, "", token.ErrInvalidToken},
		{"control character", []string{"Bearer a\tb"}, "", token.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("Authorization", v)
			}
			got, err := token.FromHeader(h)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Fatalf("token = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFromHeaderEveryByte: a credential "a" + one byte is token68 exactly
// when the byte is ALPHA, DIGIT, one of -._~+/ or a trailing "=".
func TestFromHeaderEveryByte(t *testing.T) {
	for b := 0; b < 256; b++ {
		c := byte(b)
		want := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/=", c) >= 0
		_, err := token.FromHeader(http.Header{"Authorization": {"Bearer a" + string([]byte{c})}})
		if (err == nil) != want {
			t.Errorf("byte %#x: error %v, want accepted %v", c, err, want)
		}
	}
}
