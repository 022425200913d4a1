package policyadmin

import "github.com/wardenhq/warden/enforcer"

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
