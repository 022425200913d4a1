package policyadmin

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/casbin/casbin/v2/model"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/csvfile"
	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/enforcer"
)

// OpenEnforcer returns an enforcer for m whose policy lives in table
// (Casbin's casbin_rule layout) with its change log (package rulelog),
// creating the tables if needed with columns that compare exactly
// (sqlstore.MigrateCasbinRule). An existing table whose columns fold case,
// accents or trailing spaces is refused with an error wrapping
// sqlstore.ErrInexactColumns that names the column and the SQL fix: on it,
// "Carol"'s rule would be "carol"'s. opts configure the store (timeouts,
// retention, rulelog.WithNotify on PostgreSQL).
func OpenEnforcer(ctx context.Context, db *gorm.DB, m model.Model, table string, logger *slog.Logger, opts ...rulelog.Option) (*enforcer.Enforcer, error) {
	if logger == nil {
		logger = slog.Default()
	}
	st, err := rulelog.New(ctx, db, append([]rulelog.Option{rulelog.WithTable(table), rulelog.WithLogger(logger)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("policyadmin: policy table %s: %w", table, err)
	}
	e, err := enforcer.New(ctx, m, st, enforcer.WithLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("policyadmin: load policy from %s: %w", table, err)
	}
	return e, nil
}

// AllRules returns every rule of e, in the order of enforcer.PTypes. It
// copies the whole policy: for listing and export, not for a change.
func AllRules(e *enforcer.Enforcer) []enforcer.Rule {
	var out []enforcer.Rule
	for _, pt := range enforcer.PTypes(e.Model()) {
		out = append(out, e.Rules(pt)...)
	}
	return out
}

// ReadPolicyFile reads a policy.csv for model m; errors name the file and
// line.
func ReadPolicyFile(ctx context.Context, m model.Model, path string) ([]enforcer.Rule, error) {
	e, err := enforcer.New(ctx, m, csvfile.New(path))
	if err != nil {
		return nil, err
	}
	return AllRules(e), nil
}
