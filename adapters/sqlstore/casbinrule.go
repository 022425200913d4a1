package sqlstore

import (
	"context"
	"fmt"
	"strings"

	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"
)

// CasbinRuleColumns are the value columns of Casbin's casbin_rule layout,
// which must compare exactly (see RequireExactColumns).
var CasbinRuleColumns = []string{"ptype", "v0", "v1", "v2", "v3", "v4", "v5"}

// casbinRuleSize is gorm-adapter's size of each value column, in characters.
const casbinRuleSize = 100

// MigrateCasbinRule creates table (the default "casbin_rule" if empty) in
// Casbin's casbin_rule layout, as gorm-adapter would, except that its value
// columns compare exactly on every database: VARBINARY on MySQL/MariaDB
// (whose default collations fold case and accents, and whose _bin ones pad
// spaces), COLLATE "C" on PostgreSQL, TEXT on SQLite. An existing table is
// kept, and then must compare exactly: otherwise the error wraps
// ErrInexactColumns and names the column and the fix.
func MigrateCasbinRule(ctx context.Context, db *gorm.DB, table string) error {
	if table == "" {
		table = "casbin_rule"
	}
	if !identRe.MatchString(table) {
		return fmt.Errorf("sqlstore: table name %q is not a plain identifier", table)
	}
	for _, stmt := range casbinRuleDDL(db.Dialector.Name(), table) {
		if err := db.WithContext(ctx).Exec(stmt).Error; err != nil {
			return fmt.Errorf("sqlstore: create %s: %w", table, err)
		}
	}
	return RequireExactColumns(ctx, db, table, CasbinRuleColumns...)
}

// casbinRuleDDL returns the statements creating table with gorm-adapter's
// columns and unique index (idx_TABLE on ptype, v0..v5).
func casbinRuleDDL(dialect, table string) []string {
	cols := func(typ string) string {
		var b strings.Builder
		for _, c := range CasbinRuleColumns {
			fmt.Fprintf(&b, ", %s %s NOT NULL DEFAULT ''", c, typ)
		}
		return b.String()
	}
	idx := strings.Join(CasbinRuleColumns, ", ")
	switch dialect {
	case "mysql":
		// 4 bytes a utf8mb4 character; 7 x 400 bytes fit InnoDB's
		// 3072-byte key.
		return []string{fmt.Sprintf("CREATE TABLE IF NOT EXISTS `%[1]s` (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY%[2]s, "+
			"UNIQUE KEY `idx_%[1]s` (%[3]s)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
			table, cols(fmt.Sprintf("VARBINARY(%d)", 4*casbinRuleSize)), idx)}
	case "postgres":
		return []string{
			fmt.Sprintf(`CREATE TABLE IF NOT EXISTS "%s" (id BIGSERIAL PRIMARY KEY%s)`, table,
				cols(fmt.Sprintf(`VARCHAR(%d) COLLATE "C"`, casbinRuleSize))),
			fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS "idx_%[1]s" ON "%[1]s" (%[2]s)`, table, idx),
		}
	default: // sqlite: TEXT affinity, BINARY collation
		return []string{
			fmt.Sprintf(`CREATE TABLE IF NOT EXISTS "%s" (id INTEGER PRIMARY KEY AUTOINCREMENT%s)`, table, cols("TEXT")),
			fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS "idx_%[1]s" ON "%[1]s" (%[2]s)`, table, idx),
		}
	}
}

// CasbinRuleAdapter returns Casbin's own GORM adapter on db, storing any
// model's rules in Casbin's casbin_rule layout in table (the default
// "casbin_rule" if empty), which MigrateCasbinRule creates if missing and
// checks. gorm-adapter's own migration is turned off: it would create
// columns in the database's default collation. Use it for models other than
// permissions, or to share a table with other Casbin programs; use Store
// for the authz_groups/authz_permissions layout.
func CasbinRuleAdapter(ctx context.Context, db *gorm.DB, table string) (*gormadapter.Adapter, error) {
	if table == "" {
		table = "casbin_rule"
	}
	if err := MigrateCasbinRule(ctx, db, table); err != nil {
		return nil, err
	}
	adb := db.WithContext(context.WithoutCancel(ctx))
	gormadapter.TurnOffAutoMigrate(adb)
	a, err := gormadapter.NewAdapterByDBUseTableName(adb, "", table)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: casbin_rule adapter: %w", err)
	}
	return a, nil
}
