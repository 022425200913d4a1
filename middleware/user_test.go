package middleware_test

import (
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/middleware"
)

// TestUserEmailOnlyWhenVerified: an unverified "email" claim is whatever the
// user typed, so User.Email does not offer it to handlers.
func TestUserEmailOnlyWhenVerified(t *testing.T) {
	tests := []struct {
		name   string
		claims map[string]any
		want   string
	}{
		{"verified", map[string]any{"email": "a@x", "email_verified": true}, "a@x"},
		{"unverified", map[string]any{"email": "a@x"}, ""},
		{"verified false", map[string]any{"email": "a@x", "email_verified": false}, ""},
		{"verified as a string", map[string]any{"email": "a@x", "email_verified": "true"}, ""},
		{"no email", map[string]any{"email_verified": true}, ""},
	}
	for _, tt := range tests {
		u := middleware.NewUser(&warden.Token{Identity: "u", Claims: tt.claims}, nil, nil)
		if got := u.Email(); got != tt.want {
			t.Errorf("%s: Email() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
