package adapters_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
)

func TestIdentityFromClaims(t *testing.T) {
	tests := []struct {
		name    string
		claims  map[string]any
		keys    []string
		want    string
		wantErr bool
	}{
		{"sub", map[string]any{"sub": "u1", "email": "a@b"}, nil, "u1", false},
		{"kept exactly", map[string]any{"sub": " Alice "}, nil, " Alice ", false},
		{"configured key", map[string]any{"sub": "u1", "oid": "o-9"}, []string{"oid"}, "o-9", false},
		{"configured fallback when sub is absent", map[string]any{"preferred_username": "bob"}, []string{"sub", "preferred_username"}, "bob", false},
		{"verified email, configured", map[string]any{"email": "c@d", "email_verified": true}, []string{"email"}, "c@d", false},
		// Issue 10, item 2: claims a user can edit never decide by default.
		{"no fallback to username", map[string]any{"username": "root-admin"}, nil, "", true},
		{"no fallback to preferred_username", map[string]any{"preferred_username": "root-admin"}, nil, "", true},
		{"no fallback to email", map[string]any{"email": "c@d", "email_verified": true}, nil, "", true},
		{"sub a number", map[string]any{"sub": 42.0, "preferred_username": "root-admin"}, []string{"sub", "preferred_username"}, "", true},
		{"sub null", map[string]any{"sub": nil, "preferred_username": "root-admin"}, []string{"sub", "preferred_username"}, "", true},
		{"sub empty", map[string]any{"sub": "", "preferred_username": "root-admin"}, []string{"sub", "preferred_username"}, "", true},
		{"sub a list", map[string]any{"sub": []any{"a"}}, nil, "", true},
		{"sub an object", map[string]any{"sub": map[string]any{}}, nil, "", true},
		{"sub a boolean", map[string]any{"sub": true}, nil, "", true},
		{"unverified email", map[string]any{"email": "c@d"}, []string{"sub", "email"}, "", true},
		{"email_verified a string", map[string]any{"email": "c@d", "email_verified": "true"}, []string{"email"}, "", true},
		{"email_verified false", map[string]any{"email": "c@d", "email_verified": false}, []string{"email"}, "", true},
		{"newline", map[string]any{"sub": "alice\n"}, nil, "", true},
		{"bidi override", map[string]any{"sub": "ali\u202ece"}, nil, "", true},
		// A line or paragraph separator is no control character (Zl, Zp),
		// and breaks the line where logs and audits are read as text.
		{"line separator", map[string]any{"sub": "alice\u2028level=ERROR"}, nil, "", true},
		{"paragraph separator", map[string]any{"sub": "alice\u2029"}, nil, "", true},
		{"invalid UTF-8", map[string]any{"sub": "ali\xffce"}, nil, "", true},
		{"none", map[string]any{"name": "x"}, nil, "", true},
		{"nil claims", nil, nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := adapters.IdentityFromClaims(tt.claims, tt.keys...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, adapters.ErrNoIdentity) {
				t.Fatalf("err = %v, want ErrNoIdentity", err)
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIdentityOf(t *testing.T) {
	if _, err := adapters.IdentityOf(nil); !errors.Is(err, adapters.ErrNoIdentity) {
		t.Fatalf("nil token: err = %v", err)
	}
	if _, err := adapters.IdentityOf(&warden.Token{Raw: "x.y.z"}); !errors.Is(err, adapters.ErrNoIdentity) {
		t.Fatalf("empty identity: err = %v", err)
	}
	if id, err := adapters.IdentityOf(&warden.Token{Identity: "alice"}); err != nil || id != "alice" {
		t.Fatalf("got %q, %v", id, err)
	}
}

func TestDedup(t *testing.T) {
	got := adapters.Dedup([]string{"b", "a", "", "b", "a", "c"})
	if fmt.Sprint(got) != "[b a c]" {
		t.Fatalf("got %v", got)
	}
	if got := adapters.Dedup(nil); got == nil || len(got) != 0 {
		t.Fatalf("Dedup(nil) = %#v, want empty non-nil", got)
	}
}

// Short lists (checked without a map) and long ones (with one) are
// deduplicated alike: first seen kept, empty names dropped, a fresh list.
func TestDedupShortAndLong(t *testing.T) {
	names := []string{"", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s"}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 41 {
		for range 50 {
			in := make([]string, n)
			for i := range in {
				in[i] = names[rng.IntN(len(names))]
			}
			var want []string
			seen := map[string]bool{}
			for _, s := range in {
				if s != "" && !seen[s] {
					seen[s] = true
					want = append(want, s)
				}
			}
			got := adapters.Dedup(in)
			if fmt.Sprint(got) != fmt.Sprint(want) || got == nil {
				t.Fatalf("Dedup(%q) = %q; want %q", in, got, want)
			}
			if len(got) > 0 && len(in) > 0 && &got[0] == &in[0] {
				t.Fatalf("Dedup(%q) returned its input", in)
			}
		}
	}
}

func ExampleIdentityFromClaims() {
	claims := map[string]any{"sub": "248289761001", "preferred_username": "alice"}
	id, err := adapters.IdentityFromClaims(claims)
	fmt.Println(id, err)

	// A sub that is not a non-empty string refuses the token, even with a
	// fallback configured.
	_, err = adapters.IdentityFromClaims(map[string]any{"sub": nil, "preferred_username": "root-admin"},
		"sub", "preferred_username")
	fmt.Println(err)
	// Output:
	// 248289761001 <nil>
	// adapters: token has no identity: claim "sub" is null, not a string
}
