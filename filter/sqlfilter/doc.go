// Package sqlfilter translates a filter.Plan into a parameterised SQL WHERE
// fragment for PostgreSQL, MySQL/MariaDB or SQLite, for database/sql (and,
// through filter/gormfilter, for GORM).
//
// A column mapping names the column that holds each field of the plan
// ("obj" → "path", "obj.Owner" → "owner"). Values are always bound as
// parameters; column names are quoted identifiers.
//
// The fragment selects exactly the rows for which the decision allows the
// row's values, provided the compared columns compare exactly: text
// compared byte for byte, without case folding or trailing-space padding
// (a PostgreSQL text column with a deterministic collation, an SQLite TEXT
// column with the default BINARY collation, a MySQL/MariaDB VARBINARY
// column), holding valid UTF-8. A row whose mapped column is NULL is never
// selected by a conditional plan.
//
// Equality and prefixes translate to = and LIKE (a byte comparison on
// SQLite, whose LIKE ignores case); other patterns to the dialect's regular expressions
// with the very semantics of Go's regexp: PostgreSQL's ~ and MariaDB's
// PCRE REGEXP with an expression rewritten construct by construct (what
// differs between the engines, such as \b or a (?m) flag, is refused with
// filter.ErrUnsupported), SQLite's regexp(pattern, value) function, which
// package filter/sqliteregexp registers with Go's regexp.
package sqlfilter
