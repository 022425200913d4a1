package warden_test

import (
	"errors"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/csvfile"
	"github.com/wardenhq/warden/adapters/hierarchy"
	"github.com/wardenhq/warden/adapters/jsonfile"
	"github.com/wardenhq/warden/adapters/multi"
	"github.com/wardenhq/warden/adapters/redisstore"
	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/permission"
)

// TestPackageSentinelsHaveKinds checks that the precise errors packages
// define for bad input and for unknown outcomes match their kind, so that a
// caller (the middleware, the policy API, an embedder) decides from the
// kind alone, and that each stays its own error: errors.Is on the precise
// sentinel still tells them apart.
func TestPackageSentinelsHaveKinds(t *testing.T) {
	tests := []struct {
		name string
		err  error
		kind error
	}{
		{"config.ErrInvalid", config.ErrInvalid, warden.ErrInvalid},
		{"config.ErrDSN", config.ErrDSN, warden.ErrInvalid},
		{"token.ErrConfig", token.ErrConfig, warden.ErrInvalid},
		{"permission.ErrInvalid", permission.ErrInvalid, warden.ErrInvalid},
		{"hierarchy.ErrInvalid", hierarchy.ErrInvalid, warden.ErrInvalid},
		{"hierarchy.ErrCycle", hierarchy.ErrCycle, warden.ErrInvalid},
		{"redisstore.ErrInvalid", redisstore.ErrInvalid, warden.ErrInvalid},
		{"redisstore.ErrUnsupported", redisstore.ErrUnsupported, warden.ErrInvalid},
		{"multi.ErrConfig", multi.ErrConfig, warden.ErrInvalid},
		{"sqlstore.ErrInvalid", sqlstore.ErrInvalid, warden.ErrInvalid},
		{"sqlstore.ErrNotRuleValue", sqlstore.ErrNotRuleValue, warden.ErrInvalid},
		{"sqlstore.ErrUnsupported", sqlstore.ErrUnsupported, warden.ErrInvalid},
		{"rulelog.ErrInvalid", rulelog.ErrInvalid, warden.ErrInvalid},
		{"rulelog.ErrPending", rulelog.ErrPending, warden.ErrUnavailable},
		{"jsonfile.ErrSyntax", jsonfile.ErrSyntax, warden.ErrInvalid},
		{"jsonfile.ErrValue", jsonfile.ErrValue, warden.ErrInvalid},
		{"csvfile.ErrSyntax", csvfile.ErrSyntax, warden.ErrInvalid},
		{"csvfile.ErrValue", csvfile.ErrValue, warden.ErrInvalid},
	}
	for i, tt := range tests {
		if got := warden.KindOf(tt.err); got != tt.kind {
			t.Errorf("KindOf(%s) = %v, want %v", tt.name, got, tt.kind)
		}
		for j, other := range tests {
			if i != j && errors.Is(tt.err, other.err) {
				t.Errorf("%s matches %s: precise sentinels must stay apart", tt.name, other.name)
			}
		}
	}
}
