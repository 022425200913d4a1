package audit

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// appendOnlyMessage is the error text the database raises on UPDATE or
// DELETE of an audit row.
const appendOnlyMessage = "audit log is append-only"

// Migrate creates the table and the triggers that make it append-only. It
// is idempotent; on PostgreSQL it holds an advisory lock so that instances
// starting together do not race on the DDL.
func (l *Log) Migrate(ctx context.Context) error {
	err := l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "warden_audit:"+l.table).Error; err != nil {
				return err
			}
		}
		if err := tx.Table(l.table).AutoMigrate(&Entry{}); err != nil {
			return err
		}
		for _, stmt := range triggerDDL(tx.Dialector.Name(), l.table) {
			if err := tx.Exec(stmt).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit: migrate %s: %w", l.table, err)
	}
	return nil
}

// triggerDDL returns the statements that refuse UPDATE and DELETE on table.
// table has been checked to be a plain identifier.
func triggerDDL(dialect, table string) []string {
	switch dialect {
	case "postgres":
		fn := table + "_append_only"
		return []string{
			fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '%s' USING ERRCODE = 'insufficient_privilege';
END $$`, fn, appendOnlyMessage),
			fmt.Sprintf(`CREATE OR REPLACE TRIGGER %s_no_change BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s()`, table, table, fn),
			fmt.Sprintf(`CREATE OR REPLACE TRIGGER %s_no_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()`, table, table, fn),
		}
	case "mysql":
		var out []string
		for _, op := range []string{"UPDATE", "DELETE"} {
			out = append(out, fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS `%s_no_%s` BEFORE %s ON `%s` FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '%s'",
				table, strings.ToLower(op), op, table, appendOnlyMessage))
		}
		return out
	default: // sqlite
		var out []string
		for _, op := range []string{"UPDATE", "DELETE"} {
			out = append(out, fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS "%s_no_%s" BEFORE %s ON "%s" BEGIN SELECT RAISE(ABORT, '%s'); END`,
				table, strings.ToLower(op), op, table, appendOnlyMessage))
		}
		return out
	}
}
