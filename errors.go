package warden

import "errors"

// The error taxonomy. Every error Warden returns on the decision path, and
// every error a provider should return, matches exactly one of these with
// errors.Is, so that a caller (the middleware, the policy API, an embedder)
// decides what to answer from the kind alone and never needs to know which
// package failed. Packages keep their own precise sentinels (such as
// sqlstore.ErrInvalid) and tag them with a kind through NewError.
var (
	// ErrInvalid means the input can never succeed as given: a claim of the
	// wrong shape, a malformed permission, a rule value the store refuses, a
	// bad option. Retrying the same input will not help. On the decision path
	// it denies with 403; on the policy API it is a 400.
	ErrInvalid = errors.New("warden: invalid input")
	// ErrUnauthenticated means the request carries no acceptable credentials
	// (401).
	ErrUnauthenticated = errors.New("warden: unauthenticated")
	// ErrForbidden means the caller is known but not allowed (403).
	ErrForbidden = errors.New("warden: forbidden")
	// ErrUnavailable means something needed to decide (a provider, the key
	// endpoint, the store) failed or timed out; the same request may succeed
	// later (503).
	ErrUnavailable = errors.New("warden: unavailable")
)

// kindError is a sentinel with its own text that also matches its kind.
type kindError struct {
	text string
	kind error
}

func (e *kindError) Error() string { return e.text }
func (e *kindError) Unwrap() error { return e.kind }

// NewError returns a new sentinel error whose text is text and which matches
// kind (one of ErrInvalid, ErrUnauthenticated, ErrForbidden, ErrUnavailable)
// with errors.Is. A package defines its precise errors with it:
//
//	var ErrInvalid = warden.NewError(warden.ErrInvalid, "sqlstore: invalid value")
//
// so that callers may match either the precise error or its kind.
func NewError(kind error, text string) error {
	return &kindError{text: text, kind: kind}
}

// KindOf returns the kind err matches (ErrInvalid, ErrUnauthenticated,
// ErrForbidden or ErrUnavailable), or nil if it matches none. When err
// matches several, the first of this order wins:
//
//   - ErrInvalid: the caller's fault wins over everything (a provider's
//     ErrInvalid wrapped in ErrUnavailable): a retry of the same input would
//     fail again, so it must not be invited with a 503.
//   - ErrUnavailable: then "could not decide" wins over a refusal (the
//     verification keys unavailable behind an authentication failure, a
//     mapper's lookup that failed behind its refusal): the same request may
//     succeed later, and nothing was decided about the caller.
//   - ErrUnauthenticated, then ErrForbidden.
//
// This is the order in which the middleware has always mapped errors to
// 403, 503, 401 and 403.
func KindOf(err error) error {
	for _, k := range [...]error{ErrInvalid, ErrUnavailable, ErrUnauthenticated, ErrForbidden} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}
