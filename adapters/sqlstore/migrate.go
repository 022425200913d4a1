package sqlstore

import (
	"context"
	"fmt"
)

// Migrate creates the two tables and their indexes if they do not exist. It
// is safe to run at every start and from several processes. A table that
// already exists must compare its values exactly (RequireExactColumns):
// otherwise "carol" and "Carol" would be one row there.
func (s *Store) Migrate(ctx context.Context) error {
	for _, t := range []struct {
		table, column string
		size          int
	}{
		{s.groups, "group_name", MaxGroupLen},
		{s.permissions, "permission", 256},
	} {
		for _, stmt := range s.ddl(t.table, t.column, t.size) {
			if err := s.db.WithContext(ctx).Exec(stmt).Error; err != nil {
				return fmt.Errorf("sqlstore: migrate %s: %w", t.table, err)
			}
		}
		if err := RequireExactColumns(ctx, s.db, t.table, "username", t.column); err != nil {
			return err
		}
	}
	return nil
}

// ddl returns the statements creating one table. Names were validated by
// New as plain identifiers, so quoting them is enough.
func (s *Store) ddl(table, column string, size int) []string {
	switch s.db.Dialector.Name() {
	case "mysql":
		// VARBINARY compares bytes: case-sensitive and NO PAD. Sizes are
		// in bytes, four per character of utf8mb4; the unique key stays
		// under InnoDB's 3072-byte limit.
		return []string{fmt.Sprintf("CREATE TABLE IF NOT EXISTS `%[1]s` ("+
			"id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "+
			"username VARBINARY(%[3]d) NOT NULL, "+
			"`%[2]s` VARBINARY(%[4]d) NOT NULL, "+
			"UNIQUE KEY `uq_%[1]s` (username, `%[2]s`), "+
			"KEY `ix_%[1]s_username` (username)"+
			") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", table, column, 4*MaxIdentityLen, 4*size)}
	case "postgres":
		// text comparisons in PostgreSQL are exact with the default
		// deterministic collations, trailing spaces included.
		return []string{
			fmt.Sprintf(`CREATE TABLE IF NOT EXISTS "%[1]s" (`+
				`id BIGSERIAL PRIMARY KEY, `+
				`username VARCHAR(%[3]d) NOT NULL, `+
				`"%[2]s" VARCHAR(%[4]d) NOT NULL, `+
				`CONSTRAINT "uq_%[1]s" UNIQUE (username, "%[2]s"))`, table, column, MaxIdentityLen, size),
			fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "ix_%[1]s_username" ON "%[1]s" (username)`, table),
		}
	default: // sqlite: BINARY collation, exact.
		return []string{
			fmt.Sprintf(`CREATE TABLE IF NOT EXISTS "%[1]s" (`+
				`id INTEGER PRIMARY KEY AUTOINCREMENT, `+
				`username TEXT NOT NULL, `+
				`"%[2]s" TEXT NOT NULL, `+
				`UNIQUE (username, "%[2]s"))`, table, column),
			fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "ix_%[1]s_username" ON "%[1]s" (username)`, table),
		}
	}
}
