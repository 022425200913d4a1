package adapters_test

import (
	"errors"
	"fmt"
	"testing"

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
		{"sub first", map[string]any{"sub": "u1", "email": "a@b"}, nil, "u1", false},
		{"falls back to username", map[string]any{"username": "alice"}, nil, "alice", false},
		{"falls back to preferred_username", map[string]any{"sub": "", "preferred_username": "bob"}, nil, "bob", false},
		{"falls back to email", map[string]any{"email": "c@d"}, nil, "c@d", false},
		{"configured key", map[string]any{"sub": "u1", "oid": "o-9"}, []string{"oid"}, "o-9", false},
		{"kept exactly", map[string]any{"sub": " Alice "}, nil, " Alice ", false},
		{"none", map[string]any{"name": "x"}, nil, "", true},
		{"nil claims", nil, nil, "", true},
		{"wrong type is an error, not a fallback", map[string]any{"sub": 42.0, "email": "c@d"}, nil, "", true},
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
	if _, err := adapters.IdentityOf(&adapters.Token{Raw: "x.y.z"}); !errors.Is(err, adapters.ErrNoIdentity) {
		t.Fatalf("empty identity: err = %v", err)
	}
	if id, err := adapters.IdentityOf(&adapters.Token{Identity: "alice"}); err != nil || id != "alice" {
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

func ExampleIdentityFromClaims() {
	claims := map[string]any{"preferred_username": "alice", "email": "alice@example.com"}
	id, err := adapters.IdentityFromClaims(claims)
	fmt.Println(id, err)
	// Output: alice <nil>
}
