package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gorm.io/gorm"
)

// ErrInexactColumns is wrapped by RequireExactColumns when a column would
// compare values other than byte for byte: case- or accent-insensitive
// collations, PAD SPACE collations (MySQL/MariaDB's utf8mb4_bin included),
// fixed-width CHAR, citext, non-deterministic collations, SQLite's NOCASE
// and RTRIM, or a SQLite type that converts "01" to 1. On such a column two
// rules that differ only there ("carol" and "Carol", "e" and "é", "carol"
// and "carol ") are one row to the database: a grant of one is a no-op,
// and a revoke of one deletes the other.
var ErrInexactColumns = errors.New("sqlstore: columns do not compare exactly")

// RequireExactColumns returns nil when every one of columns of table
// compares exactly on db: byte-wise, with no case or accent folding and
// trailing spaces significant. Otherwise its error wraps ErrInexactColumns
// and names the table, each inexact column with its type and collation,
// and the SQL that fixes it. A missing table or column is an error too.
// table and columns must be plain identifiers.
func RequireExactColumns(ctx context.Context, db *gorm.DB, table string, columns ...string) error {
	for _, n := range append([]string{table}, columns...) {
		if !exactIdentRe.MatchString(n) {
			return fmt.Errorf("sqlstore: %q is not a plain identifier", n)
		}
	}
	got, err := columnInfo(ctx, db, table, columns)
	if err != nil {
		return fmt.Errorf("sqlstore: read the columns of %s: %w", table, err)
	}
	if len(got) == 0 {
		return fmt.Errorf("sqlstore: table %s does not exist", table)
	}
	var bad []string
	var fixes []string
	for _, c := range columns {
		info, ok := got[strings.ToLower(c)]
		if !ok {
			return fmt.Errorf("sqlstore: table %s has no column %s", table, c)
		}
		if why := info.inexact(); why != "" {
			bad = append(bad, fmt.Sprintf("column %s (%s) %s", c, info.describe(), why))
			fixes = append(fixes, info.fix(table, c))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%w: table %s: %s; fix: %s", ErrInexactColumns, table, strings.Join(bad, "; "),
		joinFixes(db.Dialector.Name(), table, fixes))
}

var exactIdentRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// column is what a database says about one column.
type column struct {
	dialect   string
	dataType  string // lower case: varchar, varbinary, text, bpchar, citext …
	fullType  string // as declared, for messages: varchar(100)
	charset   string // MySQL only
	collation string
	// deterministic is PostgreSQL's collisdeterministic.
	deterministic bool
	size          int // declared length in characters, 0 if none
	nullable      bool
}

// mysqlExactCollations compare utf8mb4 text byte-wise and NO PAD.
// utf8mb4_bin is not among them: it is PAD SPACE ("a" = "a ").
var mysqlExactCollations = map[string]bool{"utf8mb4_nopad_bin": true, "utf8mb4_0900_bin": true}

// inexact says why c does not compare exactly, or "" if it does.
func (c column) inexact() string {
	switch c.dialect {
	case "mysql":
		switch c.dataType {
		case "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
			return ""
		case "binary", "char":
			return "is fixed-width: values are padded, so trailing spaces are lost"
		case "varchar", "tinytext", "text", "mediumtext", "longtext":
			if mysqlExactCollations[c.collation] {
				return ""
			}
			if strings.HasSuffix(c.collation, "_bin") {
				return "compares with PAD SPACE: \"a\" equals \"a \""
			}
			return "folds case, accents or trailing spaces: \"Carol\" equals \"carol\""
		}
	case "postgres":
		switch c.dataType {
		case "text", "varchar", "bytea":
			if c.deterministic {
				return ""
			}
			return "has a non-deterministic collation: distinct values compare equal"
		case "bpchar":
			return "is fixed-width CHAR: trailing spaces are ignored"
		case "citext":
			return "is case-insensitive"
		}
	case "sqlite":
		switch {
		case !strings.EqualFold(c.collation, "BINARY"):
			return "has a collation that folds case or trailing spaces"
		case sqliteAffinity(c.dataType) != "TEXT" && sqliteAffinity(c.dataType) != "BLOB":
			return "has numeric affinity: \"01\" is stored as 1"
		}
		return ""
	}
	return "has a type whose comparison is not known to be exact"
}

func (c column) describe() string {
	switch {
	case c.collation != "" && c.charset != "":
		return fmt.Sprintf("%s, %s, collation %s", c.fullType, c.charset, c.collation)
	case c.collation != "":
		return fmt.Sprintf("%s, collation %s", c.fullType, c.collation)
	}
	return c.fullType
}

// fix returns the clause (MySQL, PostgreSQL) that makes column exact.
func (c column) fix(table, name string) string {
	switch c.dialect {
	case "mysql":
		typ := "VARBINARY(" + fmt.Sprint(4*max(c.size, 1)) + ")" // utf8mb4: 4 bytes a character
		switch c.dataType {
		case "tinytext", "text", "mediumtext", "longtext":
			typ = strings.TrimSuffix(strings.ToUpper(c.dataType), "TEXT") + "BLOB"
		}
		if !c.nullable {
			typ += " NOT NULL"
		}
		return fmt.Sprintf("MODIFY `%s` %s", name, typ)
	case "postgres":
		typ := "text"
		if c.size > 0 {
			typ = fmt.Sprintf("varchar(%d)", c.size)
		}
		return fmt.Sprintf(`ALTER COLUMN "%s" TYPE %s COLLATE "C"`, name, typ)
	}
	return fmt.Sprintf(`"%s" TEXT (no COLLATE clause)`, name)
}

func joinFixes(dialect, table string, fixes []string) string {
	switch dialect {
	case "mysql":
		return fmt.Sprintf("ALTER TABLE `%s` %s", table, strings.Join(fixes, ", "))
	case "postgres":
		return fmt.Sprintf(`ALTER TABLE "%s" %s`, table, strings.Join(fixes, ", "))
	}
	return fmt.Sprintf(`SQLite cannot change a column's type or collation: rename the table (ALTER TABLE "%[1]s" RENAME TO "%[1]s_old"), create "%[1]s" with %[2]s, and copy the rows (INSERT INTO "%[1]s" SELECT * FROM "%[1]s_old")`,
		table, strings.Join(fixes, ", "))
}

// sqliteAffinity applies SQLite's rules for a declared type's affinity
// (https://sqlite.org/datatype3.html, 3.1), in their order.
func sqliteAffinity(declared string) string {
	t := strings.ToUpper(declared)
	switch {
	case strings.Contains(t, "INT"):
		return "INTEGER"
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return "TEXT"
	case t == "", strings.Contains(t, "BLOB"):
		return "BLOB"
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return "REAL"
	}
	return "NUMERIC"
}

// columnInfo returns the columns of table by lower-case name; empty if the
// table does not exist. On SQLite, only the collations of want are read.
func columnInfo(ctx context.Context, db *gorm.DB, table string, want []string) (map[string]column, error) {
	db = db.WithContext(ctx)
	out := map[string]column{}
	switch d := db.Dialector.Name(); d {
	case "mysql":
		var rows []struct {
			Name, DataType, ColumnType, IsNullable string
			Charset, Collation                     *string
			Size                                   *int64
		}
		err := db.Raw(`SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, COLUMN_TYPE AS column_type,
			IS_NULLABLE AS is_nullable, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation,
			CHARACTER_MAXIMUM_LENGTH AS size
			FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, table).Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			c := column{dialect: d, dataType: strings.ToLower(r.DataType), fullType: r.ColumnType, nullable: r.IsNullable == "YES"}
			if r.Charset != nil {
				c.charset = *r.Charset
			}
			if r.Collation != nil {
				c.collation = *r.Collation
			}
			if r.Size != nil && (c.dataType == "varchar" || c.dataType == "char") {
				c.size = int(*r.Size)
			}
			out[strings.ToLower(r.Name)] = c
		}
	case "postgres":
		var rows []struct {
			Name, TypeName, FullType string
			Collation                string
			Deterministic            bool
			Size                     int
		}
		err := db.Raw(`SELECT a.attname AS name, t.typname AS type_name, format_type(a.atttypid, a.atttypmod) AS full_type,
			coalesce(co.collname, '') AS collation, coalesce(co.collisdeterministic, true) AS deterministic,
			CASE WHEN t.typname IN ('varchar', 'bpchar') AND a.atttypmod > 4 THEN a.atttypmod - 4 ELSE 0 END AS size
			FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_collation co ON co.oid = a.attcollation
			WHERE a.attrelid = to_regclass(quote_ident(?)) AND a.attnum > 0 AND NOT a.attisdropped`, table).Scan(&rows).Error
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[strings.ToLower(r.Name)] = column{dialect: d, dataType: r.TypeName, fullType: r.FullType,
				collation: r.Collation, deterministic: r.Deterministic, size: r.Size}
		}
	case "sqlite":
		var rows []struct {
			Name, Type string
			Notnull    int
		}
		if err := db.Raw(fmt.Sprintf(`SELECT name, type, "notnull" FROM pragma_table_info('%s')`, table)).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			c := column{dialect: d, dataType: r.Type, fullType: r.Type, nullable: r.Notnull == 0}
			if slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(w, r.Name) }) {
				var err error
				if c.collation, err = sqliteCollation(db, table, r.Name); err != nil {
					return nil, err
				}
			}
			out[strings.ToLower(r.Name)] = c
		}
	default:
		return nil, fmt.Errorf("unsupported database %q", d)
	}
	return out, nil
}

// sqliteCollation returns the collation SQLite uses to compare column with
// a value. SQLite has no catalogue of column collations; the compiled
// program of "column = ?" names it in its Eq instruction ("BINARY-8").
func sqliteCollation(db *gorm.DB, table, col string) (string, error) {
	rows, err := db.Raw(fmt.Sprintf(`EXPLAIN SELECT "%s" = ?1 FROM "%s"`, col, table), "").Rows()
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var addr, p1, p2, p3, p5 any
		var opcode string
		var p4, comment *string
		if err := rows.Scan(&addr, &opcode, &p1, &p2, &p3, &p4, &p5, &comment); err != nil {
			return "", err
		}
		if opcode == "Eq" && p4 != nil {
			name := strings.TrimSuffix(strings.TrimPrefix(*p4, "collseq("), ")")
			name, _, _ = strings.Cut(name, "-")
			return name, rows.Err()
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("cannot tell the collation of %s.%s", table, col)
}
