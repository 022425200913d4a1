package claims

import (
	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/internal/claimread"
)

// ErrClaimType is returned when a claim exists but has a shape that cannot be
// read as a list of names. It matches warden.ErrInvalid: the token's own
// data can never decide, so the middleware answers 403, not 503.
var ErrClaimType = claimread.ErrClaimType

// ErrMissing is returned for an absent claim when the provider was built
// with Required. It matches warden.ErrInvalid.
var ErrMissing = warden.NewError(warden.ErrInvalid, "claims: required claim is missing")
