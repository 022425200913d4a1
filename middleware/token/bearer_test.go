package token_test

import (
	"errors"
	"net/http"
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

func TestClaimStrings(t *testing.T) {
	claims := map[string]any{
		"groups":       []any{"a", "b"},
		"single":       "x",
		"bad":          []any{"a", 1},
		"num":          3.0,
		"realm_access": map[string]any{"roles": []any{"r"}},
	}
	tests := []struct {
		path    string
		want    []string
		wantErr bool
	}{
		{"groups", []string{"a", "b"}, false},
		{"single", []string{"x"}, false},
		{"absent", nil, false},
		{"realm_access.roles", []string{"r"}, false},
		{"realm_access.absent", nil, false},
		{"single.deeper", nil, true},
		{"bad", nil, true},
		{"num", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := token.ClaimStrings(claims, tt.path)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}
