package health_test

import (
	"strings"
	"testing"

	"github.com/wardenhq/warden/health"
)

func TestValidName(t *testing.T) {
	for _, ok := range []string{"database", "sql", "redis_2", "sync-policy", "a" + strings.Repeat("b", 63)} {
		if !health.ValidName(ok) {
			t.Errorf("ValidName(%q) = false", ok)
		}
	}
	// Nothing that could hold an address, a URL or a DSN, and nothing
	// empty or unbounded.
	for _, bad := range []string{"", "10.0.0.1", "db:5432", "redis://h", "postgres://u:p@h/db", "Database", "_sql", "a b", "a" + strings.Repeat("b", 64)} {
		if health.ValidName(bad) {
			t.Errorf("ValidName(%q) = true", bad)
		}
	}
}
