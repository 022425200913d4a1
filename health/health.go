package health

import (
	"context"
	"regexp"
)

// Check is one readiness check: it returns nil when its dependency answers.
type Check struct {
	// Name is what /readyz, which needs no token, shows for the check. It
	// must be generic (see ValidName): never an address or a DSN.
	Name  string
	Check func(ctx context.Context) error
}

// nameRe is the shape of a check's name. Without ".", ":" or "/" it can
// hold no host:port, IP address, URL or DSN.
var nameRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

// ValidName reports whether name may name a check: 1 to 64 lowercase
// letters, digits, '_' and '-', starting with a letter. /readyz answers
// without a token, so a name must never show where a dependency is.
func ValidName(name string) bool { return nameRe.MatchString(name) }
