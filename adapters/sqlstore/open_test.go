package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config/dbtest"
)

// Open opens the database of a DSN, creates the tables and owns the
// database: Ping answers until Close, and Close closes it. On every
// database.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			g, p := uniqueName("g"), uniqueName("p")
			st, err := sqlstore.Open(ctx, db.DSN, sqlstore.WithTables(g, p))
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Ping(ctx); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			// The tables exist: a grant is read back by the provider.
			if err := st.GrantGroup(ctx, "alice", "editors"); err != nil {
				t.Fatal(err)
			}
			if got, err := st.Groups(ctx, &warden.Token{Identity: "alice"}); err != nil || len(got) != 1 || got[0] != "editors" {
				t.Fatalf("Groups = %v, %v", got, err)
			}
			if err := st.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := st.Ping(ctx); err == nil {
				t.Fatal("Ping after Close succeeded: Close did not close the database Open opened")
			}
		})
	}
}

// A Store made by New does not own its database: Close leaves it open.
func TestCloseLeavesAGivenDatabase(t *testing.T) {
	db := openSQLite(t)
	st, err := sqlstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Ping(context.Background()); err != nil {
		t.Fatalf("Ping after Close of a store on a given database: %v", err)
	}
}

// An address Open cannot use, or a store it cannot build, is an error of
// the caller's configuration (warden.ErrInvalid), never a half-open store.
func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	for _, dsn := range []string{"", "  ", "sqlite://", "mysql:///db"} {
		if st, err := sqlstore.Open(ctx, dsn); st != nil || !errors.Is(err, sqlstore.ErrDSN) || !errors.Is(err, warden.ErrInvalid) {
			t.Errorf("Open(%q) = %v, %v; want ErrDSN", dsn, st, err)
		}
	}
	db := dbtest.SQLite(t)
	if st, err := sqlstore.Open(ctx, db.DSN, sqlstore.WithTables("same", "same")); st != nil || err == nil {
		t.Errorf("Open with one table for both = %v, %v; want an error", st, err)
	}
}
