package audit_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
)

// TestRecordTxFollowsTheTransaction: an entry written with RecordTx is
// stored if and only if the caller's transaction commits, together with
// the caller's own writes in it.
func TestRecordTxFollowsTheTransaction(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			table := "audit_" + dbtest.Unique()
			dropAppendOnly(t, db, table)
			ctx := context.Background()
			l, err := audit.New(ctx, db.DB, audit.WithTable(table), audit.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Exec("CREATE TABLE side (v VARCHAR(10) NOT NULL)").Error; err != nil {
				t.Fatal(err)
			}
			entry := func(actor string) audit.Entry {
				return audit.Entry{Actor: actor, Action: audit.ActionGrant, Scope: "policy", Rules: "[]", Before: "[]", After: "[]", Source: "api"}
			}
			rollback := errors.New("roll back")
			err = db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec("INSERT INTO side (v) VALUES ('rolled')").Error; err != nil {
					return err
				}
				if _, err := l.RecordTx(ctx, tx, entry("rolled-back")); err != nil {
					return err
				}
				return rollback
			})
			if !errors.Is(err, rollback) {
				t.Fatalf("transaction = %v", err)
			}
			var committed audit.Entry
			err = db.Transaction(func(tx *gorm.DB) error {
				if err := tx.Exec("INSERT INTO side (v) VALUES ('kept')").Error; err != nil {
					return err
				}
				var err error
				committed, err = l.RecordTx(ctx, tx, entry("committed"))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := l.List(ctx, audit.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Actor != "committed" || got[0].ID != committed.ID || committed.ID == 0 {
				t.Fatalf("entries = %+v (RecordTx returned id %d); want only the committed one", got, committed.ID)
			}
			var side []string
			if err := db.Raw("SELECT v FROM side").Scan(&side).Error; err != nil || len(side) != 1 || side[0] != "kept" {
				t.Fatalf("side rows = %v, %v", side, err)
			}
		})
	}
}

// TestListByActorIsExact: listing one actor's entries does not return its
// case, accent or trailing-space twins, on every database.
func TestListByActorIsExact(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			actors := []string{"carol", "Carol", "carol ", "rene", "rené"}
			l := chained(t, db, 0)
			for _, a := range actors {
				record(t, l, a)
			}
			for _, a := range actors {
				got, err := l.List(context.Background(), audit.Query{Actor: a})
				if err != nil || len(got) != 1 || got[0].Actor != a {
					t.Errorf("List(%q) = %+v, %v; want only its own entry", a, got, err)
				}
			}
		})
	}
}

// TestCommittedLogsTheHead: RecordTx does not log a chain head that a
// rollback could take back; Committed logs the entry's seq and hash.
func TestCommittedLogsTheHead(t *testing.T) {
	db := dbtest.SQLite(t)
	var logs strings.Builder
	l, err := audit.New(context.Background(), db.DB, audit.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	var e audit.Entry
	err = db.Transaction(func(tx *gorm.DB) error {
		e, err = l.RecordTx(context.Background(), tx, audit.Entry{Actor: "a", Action: audit.ActionGrant, Scope: "policy", Rules: "[]", Before: "[]", After: "[]", Source: "api"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "audit chain head") {
		t.Fatalf("RecordTx logged the head before the commit:\n%s", logs.String())
	}
	l.Committed(context.Background(), e)
	if want := "seq=1 hash=" + e.Hash; !strings.Contains(logs.String(), "audit chain head") || !strings.Contains(logs.String(), want) {
		t.Errorf("Committed did not log %q:\n%s", want, logs.String())
	}
}

// TestRolledBackEntryTakesNoSeq: a transaction that wrote an entry with
// RecordTx and rolled back leaves no row and no sequence number behind:
// the next entry is seq 1 and the chain verifies, on every database.
func TestRolledBackEntryTakesNoSeq(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			l := chained(t, db, 0)
			ctx := context.Background()
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
			if h, err := l.Head(ctx); err != nil || h.Seq != 0 {
				t.Fatalf("head after the rollback = %+v, %v; want seq 0", h, err)
			}
			e := record(t, l, "committed")
			if e.Seq != 1 {
				t.Fatalf("first committed entry has seq %d, want 1", e.Seq)
			}
			if rep, err := l.Verify(ctx, audit.VerifyOptions{}); err != nil || rep.Entries != 1 {
				t.Fatalf("Verify = %+v, %v", rep, err)
			}
		})
	}
}
