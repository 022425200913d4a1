package option_test

import (
	"errors"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/internal/option"
)

func TestPositive(t *testing.T) {
	if err := option.Positive("cache: TTL", time.Second); err != nil {
		t.Fatalf("1s: %v", err)
	}
	for _, err := range []error{option.Positive("cache: TTL", time.Duration(0)), option.Positive("retry: attempts", -1), option.Positive("breaker: trials", uint32(0))} {
		if !errors.Is(err, warden.ErrInvalid) {
			t.Errorf("err = %v, want warden.ErrInvalid", err)
		}
	}
	if got := option.Positive("cache: TTL", -time.Second).Error(); got != "warden: invalid input: cache: TTL -1s is not positive" {
		t.Fatalf("text = %q", got)
	}
}

func TestGiven(t *testing.T) {
	if err := option.Given("cache: clock", true); err != nil {
		t.Fatal(err)
	}
	if err := option.Given("cache: clock", false); !errors.Is(err, warden.ErrInvalid) || err.Error() != "warden: invalid input: cache: clock is nil" {
		t.Fatalf("err = %v", err)
	}
}
