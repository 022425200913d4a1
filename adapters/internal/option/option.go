package option

import (
	"fmt"

	"github.com/wardenhq/warden"
)

// Positive returns nil when v is positive, or an error matching
// warden.ErrInvalid that names what ("cache: TTL") and v.
func Positive[T ~int | ~int64 | ~uint32](what string, v T) error {
	if v > 0 {
		return nil
	}
	return fmt.Errorf("%w: %s %v is not positive", warden.ErrInvalid, what, v)
}

// Given returns nil when ok, or an error matching warden.ErrInvalid saying
// that what ("breaker: observer") is missing. Callers pass f != nil: a
// generic function cannot compare an arbitrary func value with nil.
func Given(what string, ok bool) error {
	if ok {
		return nil
	}
	return fmt.Errorf("%w: %s is nil", warden.ErrInvalid, what)
}
