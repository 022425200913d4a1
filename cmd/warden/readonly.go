package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/policyadmin"
)

// The read-only commands (list, audit, audit verify) create and migrate
// nothing: not a table, not a column, not even a SQLite file. A reader
// that repaired what it reads would hide the very state it was asked
// about, and `warden list --db` with a mistyped DSN would leave a database
// behind.

// sqlitePath returns the file of a SQLite dsn, or "" for a dsn that is not
// a SQLite file path (another database, :memory:, a file: URI).
func sqlitePath(dsn string) string {
	if config.Dialect(dsn) != "sqlite" {
		return ""
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "sqlite://"), "?")
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return ""
	}
	return path
}

// openExistingDB opens dsn for reading: a SQLite file that does not exist
// is an error, not a new empty database.
func openExistingDB(dsn string) (*gorm.DB, error) {
	if dsn == "" {
		return nil, errors.New("--db is required (or WARDEN_DB)")
	}
	if p := sqlstore.SQLiteFile(dsn); p != "" {
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("no SQLite database at %s (this command reads a database; it creates none)", p)
		case err == nil && fi.IsDir():
			return nil, fmt.Errorf("%s is a directory, not a SQLite database", p)
		}
	}
	return config.OpenDB(dsn) // which refuses a file that is not a database
}

// policyReader is a policy read from a database without changing it.
type policyReader struct {
	e     *enforcer.Enforcer // nil when the table does not exist
	table string
	close func()
}

// openPolicyReader reads the policy of f.scope. A policy table that does
// not exist holds no rule: e is nil, and the caller says so.
func openPolicyReader(ctx context.Context, f adminFlags) (*policyReader, error) {
	tables := policyadmin.TablesWithPrefix(f.prefix)
	var (
		m        model.Model
		table    string
		fallback bool // --model fell back to the embedded default
	)
	switch f.scope {
	case policyadmin.ScopePolicy:
		cm, err := loadModel(f.model)
		if err != nil {
			return nil, err
		}
		m, table, fallback = cm.m, tables.Policy, cm.note != ""
	case policyadmin.ScopeAdmin:
		var err error
		if m, err = models.Load(models.Permissions); err != nil {
			return nil, err
		}
		table = tables.Admin
	default:
		return nil, fmt.Errorf("--scope must be %s or %s, not %q", policyadmin.ScopePolicy, policyadmin.ScopeAdmin, f.scope)
	}
	db, err := openExistingDB(f.db)
	if err != nil {
		return nil, err
	}
	r := &policyReader{table: table, close: func() { closeDB(db) }}
	if !db.WithContext(ctx).Migrator().HasTable(table) {
		return r, nil
	}
	if err := refuseFallbackModel(ctx, db, table, fallback); err != nil {
		r.close()
		return nil, err
	}
	st, err := rulelog.Open(db, rulelog.WithTable(table))
	if err != nil {
		r.close()
		return nil, err
	}
	// Only the rules are read: not the change log's head, which a table
	// written by another Casbin tool may not have.
	if r.e, err = enforcer.New(ctx, m, loadOnly{st}); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// loadOnly is an adapter that can load and nothing else.
type loadOnly struct {
	src interface{ LoadPolicy(model.Model) error }
}

var _ persist.Adapter = loadOnly{}

var errReadOnly = errors.New("read-only")

// LoadPolicy implements persist.Adapter.
func (l loadOnly) LoadPolicy(m model.Model) error { return l.src.LoadPolicy(m) }

// SavePolicy implements persist.Adapter; the store is read-only.
func (loadOnly) SavePolicy(model.Model) error { return errReadOnly }

// AddPolicy implements persist.Adapter; the store is read-only.
func (loadOnly) AddPolicy(string, string, []string) error { return errReadOnly }

// RemovePolicy implements persist.Adapter; the store is read-only.
func (loadOnly) RemovePolicy(string, string, []string) error { return errReadOnly }

// RemoveFilteredPolicy implements persist.Adapter; the store is read-only.
func (loadOnly) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }
