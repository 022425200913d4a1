package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/breaker"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/adapters/hierarchy"
	"github.com/wardenhq/warden/adapters/httpapi"
	"github.com/wardenhq/warden/adapters/jsonfile"
	"github.com/wardenhq/warden/adapters/multi"
	"github.com/wardenhq/warden/adapters/redisstore"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/adapters/timeout"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/permission"
)

// TestStatusOfKinds is StatusOf per kind of the warden taxonomy: each kind
// alone, the errors of every package that reach the decision path (bare,
// and behind the ErrUnavailable the middleware wraps a provider's error
// in), and the errors that match two kinds.
func TestStatusOfKinds(t *testing.T) {
	behindProvider := func(err error) error {
		return errors.Join(middleware.ErrUnavailable, fmt.Errorf("groups provider 0: %w", err))
	}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"kind invalid", warden.ErrInvalid, http.StatusForbidden},
		{"kind forbidden", warden.ErrForbidden, http.StatusForbidden},
		{"kind unavailable", warden.ErrUnavailable, http.StatusServiceUnavailable},
		{"kind unauthenticated", warden.ErrUnauthenticated, http.StatusUnauthorized},
		{"no kind", errors.New("anything else"), http.StatusForbidden},
		{"nil", nil, http.StatusForbidden},
		{"deadline, no kind", fmt.Errorf("ask: %w", context.DeadlineExceeded), http.StatusServiceUnavailable},
		{"cancelled, no kind", context.Canceled, http.StatusForbidden},

		// The middleware's own errors are the kinds.
		{"middleware unauthenticated", middleware.ErrUnauthenticated, http.StatusUnauthorized},
		{"middleware forbidden", middleware.ErrForbidden, http.StatusForbidden},
		{"middleware unavailable", middleware.ErrUnavailable, http.StatusServiceUnavailable},
		{"unchecked route", middleware.ErrUnchecked, http.StatusForbidden},
		{"role identity", middleware.ErrRoleIdentity, http.StatusForbidden},
		{"ambiguous path", middleware.ErrAmbiguousPath, http.StatusForbidden},
		{"unsafe path", middleware.ErrUnsafePath, http.StatusForbidden},

		// The token verifier.
		{"missing token", token.ErrMissingToken, http.StatusUnauthorized},
		{"invalid token", fmt.Errorf("%w: %w", token.ErrInvalidToken, token.ErrTooLarge), http.StatusUnauthorized},
		{"token without identity", fmt.Errorf("%w: %w", token.ErrInvalidToken, token.ErrNoIdentity), http.StatusUnauthorized},
		{"keys unavailable", token.ErrKeysUnavailable, http.StatusServiceUnavailable},
		{"keys unavailable behind unauthenticated", errors.Join(middleware.ErrUnauthenticated, token.ErrKeysUnavailable), http.StatusServiceUnavailable},

		// The caller's data behind a provider failure: 403, never a 503
		// that invites retrying the same token.
		{"claim of the wrong type", behindProvider(claims.ErrClaimType), http.StatusForbidden},
		{"required claim missing", behindProvider(claims.ErrMissing), http.StatusForbidden},
		{"no verified token", behindProvider(claims.ErrNoToken), http.StatusForbidden},
		{"bad claim path", behindProvider(claims.ErrPath), http.StatusForbidden},
		{"invalid permission", behindProvider(permission.ErrInvalid), http.StatusForbidden},
		{"sql store refuses a value", behindProvider(sqlstore.ErrInvalid), http.StatusForbidden},
		{"redis store refuses a value", behindProvider(redisstore.ErrInvalid), http.StatusForbidden},
		{"no identity", behindProvider(adapters.ErrNoIdentity), http.StatusForbidden},
		{"identity no path segment", behindProvider(httpapi.ErrIdentity), http.StatusForbidden},
		{"invalid hierarchy", behindProvider(hierarchy.ErrInvalid), http.StatusForbidden},
		{"invalid permission behind a provider panic", behindProvider(&adapters.PanicError{Value: permission.ErrInvalid}), http.StatusForbidden},

		// A source that did not answer, bare or behind a provider: 503.
		{"timeout", timeout.ErrTimeout, http.StatusServiceUnavailable},
		{"breaker open", behindProvider(breaker.ErrOpen), http.StatusServiceUnavailable},
		{"every source failed", multi.ErrAllFailed, http.StatusServiceUnavailable},
		{"provider panicked", &adapters.PanicError{Value: "bug"}, http.StatusServiceUnavailable},
		{"per-token source cached", adapters.ErrPerToken, http.StatusServiceUnavailable},
		{"directory status", httpapi.ErrStatus, http.StatusServiceUnavailable},
		{"hierarchy not loaded", hierarchy.ErrNotLoaded, http.StatusServiceUnavailable},
		{"file not loaded", jsonfile.ErrNotLoaded, http.StatusServiceUnavailable},
		{"database down", behindProvider(errors.New("connection refused")), http.StatusServiceUnavailable},

		// Two kinds: the caller's fault first, then "could not decide".
		{"unavailable behind a refusal", errors.Join(middleware.ErrForbidden, timeout.ErrTimeout), http.StatusServiceUnavailable},
		{"unauthenticated behind a refusal", errors.Join(middleware.ErrForbidden, token.ErrInvalidToken), http.StatusUnauthorized},
		{"deadline behind unauthenticated", errors.Join(middleware.ErrUnauthenticated, context.DeadlineExceeded), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := middleware.StatusOf(tt.err); got != tt.want {
				t.Errorf("StatusOf(%v) = %d (kind %v), want %d", tt.err, got, warden.KindOf(tt.err), tt.want)
			}
		})
	}
}
