package middleware_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

// panicOf runs f and returns what it panicked with, "" when it did not.
func panicOf(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return ""
}

// TestDecidingWithoutDeciderPanicsAtWiring: an Auth without WithDecider may
// authenticate, but wiring Authorize or Require on it fails at start-up
// instead of answering 403 to every request.
func TestDecidingWithoutDeciderPanicsAtWiring(t *testing.T) {
	key := hmacKey(t)
	a, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithLogger(discard()))
	if err != nil {
		t.Fatalf("New without decider (authentication only) failed: %v", err)
	}
	if a.Decider() != nil {
		t.Fatal("Decider() without WithDecider is not nil")
	}
	h := http.NotFoundHandler()
	tests := []struct {
		name, want string
		wire       func()
	}{
		{"Authenticate", "", func() { a.Authenticate(h) }},
		{"Authorize", "middleware: Authorize needs a decider", func() { a.Authorize(h) }},
		{"Require", "middleware: Require needs a decider", func() { a.Require("read:posts") }},
	}
	for _, tt := range tests {
		got := panicOf(tt.wire)
		if (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s: panic %q, want %q", tt.name, got, tt.want)
		}
	}
	withDecider, err := middleware.New(middleware.WithVerifier(newVerifier(t, token.WithHMACSecret(key.Signer.([]byte)))),
		middleware.WithDecider(newEnforcer(t, models.RESTful)), middleware.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	if got := panicOf(func() { withDecider.Authorize(h); withDecider.Require("x") }); got != "" {
		t.Fatalf("wiring with a decider panicked: %s", got)
	}
}
