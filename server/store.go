package server

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

// Default table names; a prefix (Tables) keeps deployments sharing a
// database apart.
const (
	DefaultPolicyTable = "casbin_rule"
	DefaultAdminTable  = "warden_admin_rule"
)

// Scope names: the served policy and the admin policy.
const (
	ScopePolicy = "policy"
	ScopeAdmin  = "admin"
)

// Permissions checked against the admin policy.
const (
	PermAdmin = "warden:admin"
	PermCheck = "warden:check"
	// AdminRole is the role the admin policy is seeded with.
	AdminRole = "warden-admin"
)

// AdminSeed is the admin policy written when its table is empty.
var AdminSeed = []enforcer.Rule{enforcer.P(AdminRole, "warden:*", "allow")}

// Tables names the tables of one deployment.
type Tables struct {
	Policy string // Casbin casbin_rule layout, the served policy
	Admin  string // Casbin casbin_rule layout, the admin policy
	Audit  string // audit.Entry rows
}

// TablesWithPrefix returns the default tables with prefix prepended.
func TablesWithPrefix(prefix string) Tables {
	return Tables{Policy: prefix + DefaultPolicyTable, Admin: prefix + DefaultAdminTable, Audit: prefix + "audit_log"}
}

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
		return nil, fmt.Errorf("server: policy table %s: %w", table, err)
	}
	e, err := enforcer.New(ctx, m, st, enforcer.WithLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("server: load policy from %s: %w", table, err)
	}
	return e, nil
}

// AllRules returns every rule of e, in the order of enforcer.PTypes.
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
