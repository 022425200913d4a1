package sqlstore

import (
	"fmt"

	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"
)

// CasbinRuleAdapter returns Casbin's own GORM adapter on db, storing any
// model's rules in Casbin's casbin_rule layout in table (the default
// "casbin_rule" if empty), which it creates if missing. Use it for models
// other than permissions, or to share a table with other Casbin programs;
// use Store for the authz_groups/authz_permissions layout.
func CasbinRuleAdapter(db *gorm.DB, table string) (*gormadapter.Adapter, error) {
	if table != "" && !identRe.MatchString(table) {
		return nil, fmt.Errorf("sqlstore: table name %q is not a plain identifier", table)
	}
	a, err := gormadapter.NewAdapterByDBUseTableName(db, "", table)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: casbin_rule adapter: %w", err)
	}
	return a, nil
}
