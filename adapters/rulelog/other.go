package rulelog

import (
	"context"
	"errors"
	"fmt"
)

// Two policies of one deployment (the served one and the admin one) live
// in two stores with two heads. A check that judges a change of one on the
// rules of the other (package policyadmin: a role granted in the served
// policy takes an administrator's name away) must see the other's latest
// commit and keep it from changing until its own write commits. The two
// methods below give a TxFunc that, on a store sharing the write's
// database handle, without a second transaction: Lock for the store whose
// rules the check reads as they will commit, Roles for a store whose
// writers of role links take Lock on this one first (so that they wait for
// this write, then see it).

// Lock takes the head row's lock of other inside w's transaction and
// returns a Write of other whose LoadPolicy reads other's rules in that
// transaction, as they are committed: until w's transaction ends no writer
// of other can commit. other must be a Store on the same database handle
// as w's. Take it after the write's own head (as every caller does), so
// that two writers never wait on each other's heads in opposite orders.
func (w Write) Lock(ctx context.Context, other *Store) (Write, error) {
	if err := w.same(other); err != nil {
		return Write{}, err
	}
	stmt := "SELECT revision FROM " + other.q.head + " WHERE id = 1 FOR UPDATE"
	if other.dialect == "sqlite" {
		// The write's first statement took SQLite's write lock on the
		// whole database: no other writer runs until it ends.
		stmt = "SELECT revision FROM " + other.q.head + " WHERE id = 1"
	}
	var rev uint64
	if err := w.tx.WithContext(ctx).Raw(stmt).Row().Scan(&rev); err != nil {
		return Write{}, fmt.Errorf("rulelog: lock the head of %s: %w", other.table, err)
	}
	return Write{store: other, tx: w.tx}, nil
}

// Roles returns how many rules of a g type in other name each role (their
// second value), as w's transaction reads them without a lock: what is
// committed, and the write's own rows when other is w's store (nil), not
// what another write has yet to commit. A name is a role as
// enforcer.Enforcer.IsRole answers it, here on the store rather than on a
// process's memory, which may lag it. other must be a Store on the same
// database handle as w's.
func (w Write) Roles(ctx context.Context, other *Store) (map[string]int, error) {
	if other == nil {
		other = w.store
	}
	if err := w.same(other); err != nil {
		return nil, err
	}
	// ptype >= 'g' AND ptype < 'h': the g types (g, g2, ...), on the exact
	// collation the columns have (a LIKE folds case on SQLite).
	rows, err := w.tx.WithContext(ctx).Raw("SELECT v1, COUNT(*) FROM " + other.q.rules + " WHERE ptype >= 'g' AND ptype < 'h' GROUP BY v1").Rows()
	if err != nil {
		return nil, fmt.Errorf("rulelog: read the roles of %s: %w", other.table, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			v string
			n int
		)
		if err := rows.Scan(&v, &n); err != nil {
			return nil, fmt.Errorf("rulelog: read the roles of %s: %w", other.table, err)
		}
		out[v] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rulelog: read the roles of %s: %w", other.table, err)
	}
	return out, nil
}

// same refuses, outside a TxFunc or for a store on another database
// handle, to run SQL for other in w's transaction: the statements would
// reach whatever table of that name w's database holds.
func (w Write) same(other *Store) error {
	if w.tx == nil {
		return errors.New("rulelog: Write used outside its write's transaction")
	}
	if other == nil {
		return errors.New("rulelog: no store")
	}
	mine, err := w.store.db.DB()
	if err != nil {
		return fmt.Errorf("rulelog: %w", err)
	}
	theirs, err := other.db.DB()
	if err != nil {
		return fmt.Errorf("rulelog: %w", err)
	}
	if mine != theirs {
		return fmt.Errorf("rulelog: %s and %s are not on the same database handle", w.store.table, other.table)
	}
	return nil
}
