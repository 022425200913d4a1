package middleware

import (
	"context"
	"errors"
	"net/http"

	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/permission"
)

var (
	// ErrUnauthenticated means the request carries no acceptable
	// credentials (401).
	ErrUnauthenticated = errors.New("middleware: unauthenticated")
	// ErrForbidden means the caller is known but not allowed (403).
	ErrForbidden = errors.New("middleware: forbidden")
	// ErrUnavailable means something needed to decide (a provider, the
	// key endpoint, the decider) failed; the request may succeed later (503).
	ErrUnavailable = errors.New("middleware: unavailable")
	// ErrUnchecked means a strict-mode request reached its response with no
	// decision, guard or public marker (403).
	ErrUnchecked = errors.New("middleware: route has no authorization check")
)

// StatusOf maps an error of this package or of package token to its HTTP
// status. Anything it does not know is 403: an unknown failure must not
// look like success, and 403 does not invite a retry with the same request.
func StatusOf(err error) int {
	switch {
	case errors.Is(err, claims.ErrClaimType), errors.Is(err, claims.ErrMissing), errors.Is(err, permission.ErrInvalid),
		errors.Is(err, sqlstore.ErrInvalid), errors.Is(err, adapters.ErrNoIdentity):
		// The caller's own token carries data that can never decide (a
		// claim of the wrong shape, a malformed permission, an identity or
		// group name the store refuses, no identity at all): a retry will
		// not help, so this is not a 503 even though a provider failed.
		// It is checked first because providers' errors arrive wrapped in
		// ErrUnavailable.
		return http.StatusForbidden
	case errors.Is(err, ErrUnavailable), errors.Is(err, token.ErrKeysUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrUnauthenticated), errors.Is(err, token.ErrMissingToken), errors.Is(err, token.ErrInvalidToken):
		return http.StatusUnauthorized
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	default:
		return http.StatusForbidden
	}
}
