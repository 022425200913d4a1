package middleware

import (
	"context"
	"errors"
	"net/http"

	"github.com/wardenhq/warden"
)

var (
	// ErrUnauthenticated means the request carries no acceptable
	// credentials (401). It is warden.ErrUnauthenticated.
	ErrUnauthenticated = warden.ErrUnauthenticated
	// ErrForbidden means the caller is known but not allowed (403). It is
	// warden.ErrForbidden.
	ErrForbidden = warden.ErrForbidden
	// ErrUnavailable means something needed to decide (a provider, the
	// key endpoint, the decider) failed; the request may succeed later
	// (503). It is warden.ErrUnavailable.
	ErrUnavailable = warden.ErrUnavailable
	// ErrUnchecked means a strict-mode request reached its response with no
	// decision, guard or public marker (403).
	ErrUnchecked = warden.NewError(warden.ErrForbidden, "middleware: route has no authorization check")
)

// StatusOf maps an error to its HTTP status by its kind in the warden
// taxonomy (warden.KindOf), whichever package it comes from:
//
//   - warden.ErrInvalid: 403. The caller's own data can never decide (a
//     claim of the wrong shape, a malformed permission, an identity the
//     store refuses, no identity at all): a retry will not help, so this is
//     not a 503 even though a provider failed and its error arrives wrapped
//     in ErrUnavailable.
//   - warden.ErrUnavailable: 503.
//   - warden.ErrUnauthenticated: 401.
//   - warden.ErrForbidden: 403.
//
// An error of no kind is 503 if it is a context deadline (something did
// not answer in time), else 403: an unknown failure must not look like
// success, and 403 does not invite a retry with the same request.
func StatusOf(err error) int {
	switch warden.KindOf(err) {
	case warden.ErrInvalid, warden.ErrForbidden:
		return http.StatusForbidden
	case warden.ErrUnavailable:
		return http.StatusServiceUnavailable
	case warden.ErrUnauthenticated:
		return http.StatusUnauthorized
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable
	}
	return http.StatusForbidden
}
