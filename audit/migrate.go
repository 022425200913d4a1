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

// Migrate creates the table, its chain head table (TABLE_chain) and the
// triggers that make it append-only. It is idempotent; on PostgreSQL it
// holds an advisory lock so that instances starting together do not race
// on the DDL.
//
// An audit table from before the hash chain gets the seq, prev_hash and
// hash columns, empty on its existing rows: the chain starts at the first
// entry written after the migration (seq 1), and Verify counts the older
// rows as unchained instead of checking them. The head row records the
// highest id among them (pre_chain_id), so that a row without a sequence
// number added later, whatever its id, is forged.
func (l *Log) Migrate(ctx context.Context) error {
	if err := checkTimeZone(ctx, l.db); err != nil {
		return err
	}
	err := l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "warden_audit:"+l.table).Error; err != nil {
				return err
			}
		}
		if err := tx.Table(l.table).AutoMigrate(&Entry{}); err != nil {
			return err
		}
		if err := l.widenText(tx); err != nil {
			return err
		}
		if err := l.migrateHead(tx); err != nil {
			return err
		}
		for _, stmt := range append(triggerDDL(tx.Dialector.Name(), l.table), headTriggerDDL(tx.Dialector.Name(), l.headTable())...) {
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

// widenText makes the text columns LONGTEXT on MySQL/MariaDB, whose TEXT
// holds 64 KiB: a change of a few hundred rules (the API takes bodies of
// 1 MiB) would otherwise fail its audit insert, and with it the change.
// PostgreSQL's and SQLite's text have no such bound.
func (l *Log) widenText(tx *gorm.DB) error {
	if tx.Dialector.Name() != "mysql" {
		return nil
	}
	var cols []struct{ Name, DataType, IsNullable string }
	if err := tx.Raw(`SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, IS_NULLABLE AS is_nullable
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
		AND COLUMN_NAME IN ('rules', 'before', 'after', 'error', 'note')`, l.table).Scan(&cols).Error; err != nil {
		return err
	}
	for _, c := range cols {
		if c.DataType != "tinytext" && c.DataType != "text" && c.DataType != "mediumtext" {
			continue
		}
		null := " NOT NULL"
		if c.IsNullable == "YES" {
			null = " NULL"
		}
		if err := tx.Exec(fmt.Sprintf("ALTER TABLE `%s` MODIFY `%s` LONGTEXT%s", l.table, c.Name, null)).Error; err != nil {
			return err
		}
	}
	return nil
}

// migrateHead creates the head table and its one row, continuing from the
// table's last chained entry if the row is missing, and records on a head
// row from before the pre_chain_id column which rows predate the chain.
func (l *Log) migrateHead(tx *gorm.DB) error {
	if err := tx.Table(l.headTable()).AutoMigrate(&headRow{}); err != nil {
		return err
	}
	var rows []headRow
	if err := tx.Table(l.headTable()).Where("id = 1").Find(&rows).Error; err != nil {
		return err
	}
	mark, err := l.preChainID(tx)
	if err != nil {
		return err
	}
	if len(rows) == 1 {
		if rows[0].PreChainID != nil {
			return nil
		}
		// The head triggers let the mark go from NULL to a value once.
		return tx.Table(l.headTable()).Where("id = 1 AND pre_chain_id IS NULL").Update("pre_chain_id", mark).Error
	}
	row := headRow{ID: 1, Hash: GenesisHash, PreChainID: &mark}
	var last []Entry
	if err := tx.Table(l.table).Where("seq > 0").Order("seq DESC").Limit(1).Find(&last).Error; err != nil {
		return err
	}
	if len(last) == 1 {
		row.Seq, row.Hash, row.Time = last[0].Seq, last[0].Hash, &last[0].Time
	}
	return tx.Table(l.headTable()).Create(&row).Error
}

// preChainID returns the highest id of the rows that predate the chain:
// those without a sequence number below the first chained entry (all of
// them before the first entry; 0 for a new table). On a table chained by
// an earlier release, a row forged into an id gap below the first chained
// entry before the upgrade counts as pre-chain: nothing in the table tells
// it apart.
func (l *Log) preChainID(tx *gorm.DB) (uint64, error) {
	var mark struct{ Max *uint64 }
	t := quoteIdent(tx, l.table)
	err := tx.Raw(fmt.Sprintf(`SELECT max(id) AS max FROM %[1]s WHERE (seq IS NULL OR seq = 0)
		AND (id < (SELECT min(id) FROM %[1]s WHERE seq > 0) OR NOT EXISTS (SELECT 1 FROM %[1]s WHERE seq > 0))`, t)).Scan(&mark).Error
	if err != nil || mark.Max == nil {
		return 0, err
	}
	return *mark.Max, nil
}

// headForwardMessage is the error text the database raises on a change of
// the head row other than one step forward.
const headForwardMessage = "audit chain head only moves forward"

// headTriggerDDL returns the statements that let the head row only move one
// entry forward (or be locked by a no-op update), and never be deleted: so
// that resetting the head, to hide a truncated log, takes dropping
// triggers too.
//
// The pre-chain mark (headRow.PreChainID) may only go from NULL, on a head
// row from before it, to a value. PostgreSQL's function is replaced on
// every Migrate, so its condition holds it; MySQL/MariaDB and SQLite keep
// an existing trigger as it was (CREATE TRIGGER IF NOT EXISTS), so there
// the mark has a trigger of its own.
func headTriggerDDL(dialect, head string) []string {
	const forward = "((NEW.seq = OLD.seq AND NEW.hash = OLD.hash) OR NEW.seq = OLD.seq + 1) AND NEW.id = OLD.id"
	const keep = "OLD.pre_chain_id IS NULL OR NEW.pre_chain_id %s OLD.pre_chain_id"
	switch dialect {
	case "postgres":
		fn := head + "_fwd"
		return []string{
			fmt.Sprintf(`CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND %s THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION '%s' USING ERRCODE = 'insufficient_privilege';
END $$`, fn, forward+" AND ("+fmt.Sprintf(keep, "IS NOT DISTINCT FROM")+")", headForwardMessage),
			fmt.Sprintf(`CREATE OR REPLACE TRIGGER %s_fwd BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s()`, head, head, fn),
			fmt.Sprintf(`CREATE OR REPLACE TRIGGER %s_notrunc BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()`, head, head, fn),
		}
	case "mysql":
		return []string{
			fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS `%[1]s_fwd` BEFORE UPDATE ON `%[1]s` FOR EACH ROW "+
				"BEGIN IF NOT (%[2]s) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '%[3]s'; END IF; END", head, forward, headForwardMessage),
			fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS `%[1]s_nodel` BEFORE DELETE ON `%[1]s` FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '%[2]s'",
				head, headForwardMessage),
			fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS `%[1]s_mark` BEFORE UPDATE ON `%[1]s` FOR EACH ROW "+
				"BEGIN IF NOT (%[2]s) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '%[3]s'; END IF; END", head, fmt.Sprintf(keep, "<=>"), headForwardMessage),
		}
	default: // sqlite
		return []string{
			fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS "%[1]s_fwd" BEFORE UPDATE ON "%[1]s" WHEN NOT (%[2]s) BEGIN SELECT RAISE(ABORT, '%[3]s'); END`,
				head, forward, headForwardMessage),
			fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS "%[1]s_nodel" BEFORE DELETE ON "%[1]s" BEGIN SELECT RAISE(ABORT, '%[2]s'); END`,
				head, headForwardMessage),
			fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS "%[1]s_mark" BEFORE UPDATE ON "%[1]s" WHEN NOT (%[2]s) BEGIN SELECT RAISE(ABORT, '%[3]s'); END`,
				head, fmt.Sprintf(keep, "IS"), headForwardMessage),
		}
	}
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
		// MariaDB and MySQL cannot trigger on TRUNCATE; the chain head
		// (Head, the head table, the metric) shows an emptied table.
		var out []string
		for _, op := range []string{"UPDATE", "DELETE"} {
			out = append(out, fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS `%s_no_%s` BEFORE %s ON `%s` FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '%s'",
				table, strings.ToLower(op), op, table, appendOnlyMessage))
		}
		// REPLACE and INSERT … ON DUPLICATE KEY UPDATE onto an existing
		// id or seq.
		out = append(out, fmt.Sprintf("CREATE TRIGGER IF NOT EXISTS `%[1]s_no_replace` BEFORE INSERT ON `%[1]s` FOR EACH ROW "+
			"BEGIN IF EXISTS (SELECT 1 FROM `%[1]s` WHERE id = NEW.id OR seq = NEW.seq) THEN "+
			"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '%[2]s'; END IF; END", table, appendOnlyMessage))
		return out
	default: // sqlite
		var out []string
		for _, op := range []string{"UPDATE", "DELETE"} {
			out = append(out, fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS "%s_no_%s" BEFORE %s ON "%s" BEGIN SELECT RAISE(ABORT, '%s'); END`,
				table, strings.ToLower(op), op, table, appendOnlyMessage))
		}
		// REPLACE INTO deletes the conflicting row without running DELETE
		// triggers (unless recursive_triggers is on): refuse the insert
		// itself when its id or seq is taken.
		out = append(out, fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS "%[1]s_no_replace" BEFORE INSERT ON "%[1]s" `+
			`WHEN EXISTS (SELECT 1 FROM "%[1]s" WHERE id = NEW.id OR seq = NEW.seq) BEGIN SELECT RAISE(ABORT, '%[2]s'); END`,
			table, appendOnlyMessage))
		return out
	}
}
