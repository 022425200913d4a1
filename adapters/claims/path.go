package claims

import "github.com/wardenhq/warden/internal/claimread"

// ErrPath is returned for a claim path that cannot be parsed. It matches
// warden.ErrInvalid.
var ErrPath = claimread.ErrPath

// ClaimPath is a parsed claim path: the keys from the top-level claim down.
type ClaimPath []string

// Path returns the claim path made of keys, each taken verbatim (dots and
// colons included).
func Path(keys ...string) ClaimPath { return ClaimPath(append([]string(nil), keys...)) }

// ParsePath parses the dotted form described in the package documentation.
func ParsePath(s string) (ClaimPath, error) {
	keys, err := claimread.ParsePath(s)
	return ClaimPath(keys), err
}

// String returns p in the dotted, escaped form.
func (p ClaimPath) String() string { return claimread.PathString(p) }
