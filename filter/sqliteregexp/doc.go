// Package sqliteregexp registers the SQL function regexp(pattern, value)
// with Go's regexp semantics on the SQLite driver GORM's glebarez/sqlite
// dialector uses, so that the regular expressions of a filter plan mean on
// SQLite exactly what they mean in a decision. It is a package of its own
// so that only programs on SQLite link the driver.
package sqliteregexp
