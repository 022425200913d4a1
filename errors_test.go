package warden_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/wardenhq/warden"
)

func TestKindOf(t *testing.T) {
	precise := warden.NewError(warden.ErrInvalid, "store: bad value")
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"nil", nil, nil},
		{"unknown", errors.New("boom"), nil},
		{"precise sentinel", precise, warden.ErrInvalid},
		{"wrapped precise", fmt.Errorf("load: %w", precise), warden.ErrInvalid},
		{"invalid beats unavailable", fmt.Errorf("%w: %w", warden.ErrUnavailable, precise), warden.ErrInvalid},
		{"invalid beats unauthenticated", errors.Join(warden.ErrUnauthenticated, precise), warden.ErrInvalid},
		{"unavailable beats unauthenticated", errors.Join(warden.ErrUnauthenticated, warden.NewError(warden.ErrUnavailable, "keys: down")), warden.ErrUnavailable},
		{"unavailable beats forbidden", errors.Join(warden.ErrForbidden, warden.ErrUnavailable), warden.ErrUnavailable},
		{"unauthenticated beats forbidden", errors.Join(warden.ErrForbidden, warden.ErrUnauthenticated), warden.ErrUnauthenticated},
		{"unavailable", fmt.Errorf("fetch: %w", warden.ErrUnavailable), warden.ErrUnavailable},
		{"unauthenticated", warden.ErrUnauthenticated, warden.ErrUnauthenticated},
		{"forbidden", warden.ErrForbidden, warden.ErrForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := warden.KindOf(c.err); got != c.want {
				t.Fatalf("KindOf(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
	if precise.Error() != "store: bad value" {
		t.Fatalf("NewError text = %q", precise.Error())
	}
}

func ExampleNewError() {
	errBadValue := warden.NewError(warden.ErrInvalid, "mystore: bad value")
	err := fmt.Errorf("load alice: %w", errBadValue)
	fmt.Println(errors.Is(err, errBadValue), errors.Is(err, warden.ErrInvalid), warden.KindOf(err))
	// Output: true true warden: invalid input
}
