package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
)

// forge inserts, as the table's database role can, a row without a
// sequence number; id 0 lets the database pick the id.
func forge(t *testing.T, db *gorm.DB, l *audit.Log, id uint64) {
	t.Helper()
	cols, vals := "", ""
	if id != 0 {
		cols, vals = "id, ", fmt.Sprintf("%d, ", id)
	}
	must(t, db.Exec(fmt.Sprintf("INSERT INTO %s (%stime, actor, action, scope, rules, %s, %s, changed, source) VALUES (%s'2026-12-01 10:00:00', 'mallory', 'grant', 'policy', '[]', '[]', '[]', 1, 'api')",
		q(db, l.Table()), cols, q(db, "before"), q(db, "after"), vals)).Error)
}

// wantForged fails t unless Verify names row id as forged.
func wantForged(t *testing.T, l *audit.Log, id uint64) {
	t.Helper()
	rep, err := l.Verify(context.Background(), audit.VerifyOptions{})
	var ce *audit.ChainError
	if !errors.As(err, &ce) || !errors.Is(err, audit.ErrTampered) {
		t.Fatalf("Verify = %+v, %v; want a ChainError naming id %d", rep, err, id)
	}
	if ce.Kind != audit.KindForged || ce.ID != id || !strings.Contains(err.Error(), fmt.Sprintf("id %d", id)) {
		t.Errorf("Verify said %v (kind %s, id %d); want forged naming id %d", err, ce.Kind, ce.ID, id)
	}
}

// preChainID reads the head row's pre-chain mark.
func preChainID(t *testing.T, db *gorm.DB, l *audit.Log) *uint64 {
	t.Helper()
	var rows []struct{ PreChainID *uint64 }
	must(t, db.Raw(fmt.Sprintf("SELECT pre_chain_id FROM %s WHERE id = 1", q(db, l.Table()+"_chain"))).Scan(&rows).Error)
	if len(rows) != 1 {
		t.Fatalf("head rows: %d", len(rows))
	}
	return rows[0].PreChainID
}

// TestRowsBelowTheChainAreForged: the head row records, when the chain
// begins, the last row from before it (pre_chain_id), so that a row
// without a sequence number is forged even when its id fits in a gap
// below the first chained entry, which counted it as a row from before
// the chain; and the mark cannot be changed.
func TestRowsBelowTheChainAreForged(t *testing.T) {
	ctx := context.Background()
	type tamper struct {
		name string
		// do builds a log and tampers with it; it returns the log and
		// the id of the row Verify must name.
		do func(t *testing.T, db dbtest.DB) (*audit.Log, uint64)
	}
	cases := []tamper{
		{name: "id used up by a rolled-back first change", do: func(t *testing.T, db dbtest.DB) (*audit.Log, uint64) {
			l := chained(t, db, 0)
			rollback := errors.New("roll back")
			err := db.Transaction(func(tx *gorm.DB) error {
				if _, err := l.RecordTx(ctx, tx, audit.Entry{Actor: "rolled-back", Action: audit.ActionGrant, Scope: "policy",
					Rules: "[]", Before: "[]", After: "[]", Source: "api"}); err != nil {
					return err
				}
				return rollback
			})
			if !errors.Is(err, rollback) {
				t.Fatalf("transaction = %v", err)
			}
			e := record(t, l, "committed")
			record(t, l, "later")
			if db.Dialector.Name() == "postgres" && e.ID != 2 {
				t.Fatalf("first committed entry has id %d; PostgreSQL should have used up id 1", e.ID)
			}
			if e.ID == 1 {
				// SQLite hands the rolled-back id out again: no gap.
				forge(t, db.DB, l, 0)
				return l, 3
			}
			forge(t, db.DB, l, e.ID-1)
			return l, e.ID - 1
		}},
		{name: "legacy table, row without seq after the migration", do: func(t *testing.T, db dbtest.DB) (*audit.Log, uint64) {
			l, err := audit.New(ctx, db.DB, audit.WithTable(legacyTable(t, db, 3)), audit.WithLogger(quiet))
			must(t, err)
			if rep, err := l.Verify(ctx, audit.VerifyOptions{}); err != nil || rep.Unchained != 3 {
				t.Fatalf("Verify of the migrated table = %+v, %v; want its 3 old rows unchained", rep, err)
			}
			// Before the first chained entry: no chained id to compare with.
			forge(t, db.DB, l, 0)
			return l, 4
		}},
		{name: "legacy table, row without seq in a gap below the chain", do: func(t *testing.T, db dbtest.DB) (*audit.Log, uint64) {
			table := legacyTable(t, db, 3)
			l, err := audit.New(ctx, db.DB, audit.WithTable(table), audit.WithLogger(quiet))
			must(t, err)
			// Leave a gap above the old rows, as a rolled-back insert does.
			if db.Dialector.Name() == "postgres" {
				must(t, db.Exec(fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), 9)", table)).Error)
			} else if db.Dialector.Name() == "mysql" {
				must(t, db.Exec(fmt.Sprintf("ALTER TABLE `%s` AUTO_INCREMENT = 10", table)).Error)
			} else {
				must(t, db.Exec("UPDATE sqlite_sequence SET seq = 9 WHERE name = ?", table).Error)
			}
			if e := record(t, l, "first"); e.ID != 10 {
				t.Fatalf("first entry id %d, want 10", e.ID)
			}
			forge(t, db.DB, l, 5)
			return l, 5
		}},
		{name: "chained table from before the mark, upgraded", do: func(t *testing.T, db dbtest.DB) (*audit.Log, uint64) {
			table := legacyTable(t, db, 3)
			l, err := audit.New(ctx, db.DB, audit.WithTable(table), audit.WithLogger(quiet))
			must(t, err)
			record(t, l, "first")
			record(t, l, "second")
			// The head row as the previous release left it: no mark.
			head := table + "_chain"
			if db.Dialector.Name() == "postgres" {
				must(t, db.Exec(fmt.Sprintf("DROP TRIGGER %[1]s_fwd ON %[1]s", head)).Error)
			} else {
				must(t, db.Exec("DROP TRIGGER "+q(db.DB, head+"_fwd")).Error)
				must(t, db.Exec("DROP TRIGGER "+q(db.DB, head+"_mark")).Error)
			}
			must(t, db.Exec(fmt.Sprintf("UPDATE %s SET pre_chain_id = NULL", q(db.DB, head))).Error)
			if _, err := l.Verify(ctx, audit.VerifyOptions{}); err == nil || errors.Is(err, audit.ErrTampered) || !strings.Contains(err.Error(), "pre_chain_id") {
				t.Fatalf("Verify without a mark = %v; want an error naming pre_chain_id", err)
			}
			l, err = audit.New(ctx, db.DB, audit.WithTable(table), audit.WithLogger(quiet))
			must(t, err)
			if m := preChainID(t, db.DB, l); m == nil || *m != 3 {
				t.Fatalf("pre_chain_id after the upgrade = %v, want 3", m)
			}
			if rep, err := l.Verify(ctx, audit.VerifyOptions{}); err != nil || rep.Unchained != 3 || rep.Entries != 2 {
				t.Fatalf("Verify after the upgrade = %+v, %v; want 3 unchained, 2 entries", rep, err)
			}
			forge(t, db.DB, l, 0)
			return l, 6
		}},
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					l, id := c.do(t, db)
					if id == 0 {
						t.Skipf("%s cannot leave an id gap", b.Name)
					}
					wantForged(t, l, id)
				})
			}
			t.Run("mark cannot change", func(t *testing.T) {
				l := chained(t, db, 2)
				forge(t, db.DB, l, 0) // id 3
				for _, v := range []string{"1000", "NULL", "2"} {
					err := db.Exec(fmt.Sprintf("UPDATE %s SET pre_chain_id = %s WHERE id = 1", q(db.DB, l.Table()+"_chain"), v)).Error
					if err == nil || !strings.Contains(err.Error(), "audit chain head only moves forward") {
						t.Errorf("UPDATE pre_chain_id = %s: %v; want the head trigger to refuse it", v, err)
					}
				}
				if m := preChainID(t, db.DB, l); m == nil || *m != 0 {
					t.Errorf("pre_chain_id = %v, want 0", m)
				}
				wantForged(t, l, 3)
			})
		})
	}
}
