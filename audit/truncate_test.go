package audit_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
)

// dropAppendOnly removes, when t ends, the trigger functions Migrate
// created for table on PostgreSQL, and fails t if it is still there: the
// function is per table, and must not pile up on a shared server.
func dropAppendOnly(t *testing.T, db dbtest.DB, table string) {
	t.Helper()
	if db.Dialector.Name() != "postgres" {
		return
	}
	t.Cleanup(func() {
		for _, fn := range []string{table + "_append_only", table + "_chain_fwd"} {
			if err := db.Exec("DROP FUNCTION IF EXISTS " + fn + "() CASCADE").Error; err != nil {
				t.Errorf("drop %s: %v", fn, err)
			}
			var n int64
			if err := db.Raw("SELECT count(*) FROM pg_proc WHERE proname = ? AND pronamespace = current_schema()::regnamespace",
				fn).Scan(&n).Error; err != nil || n != 0 {
				t.Errorf("%s left behind: %d %v", fn, n, err)
			}
		}
	})
}

// TestRecordTruncatesOverlongValues: values longer than their column (a
// token subject of any length becomes the actor) are cut and marked
// instead of failing the insert after the change was applied; the slog
// line keeps them whole.
func TestRecordTruncatesOverlongValues(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			table := "audit_" + dbtest.Unique()
			dropAppendOnly(t, db, table)
			var logs strings.Builder
			l, err := audit.New(context.Background(), db.DB, audit.WithTable(table),
				audit.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			if err != nil {
				t.Fatal(err)
			}
			actor := strings.Repeat("é", 600) // multi-byte: columns count characters
			reqID := strings.Repeat("r", 200)
			addr := strings.Repeat("a", 129)
			fits := strings.Repeat("s", audit.ActorSize) // exactly the size: kept whole
			for _, a := range []string{actor, fits} {
				if _, err := l.Record(t.Context(), audit.Entry{Actor: a, Action: audit.ActionGrant, Scope: "policy",
					Rules: "[]", Before: "[]", After: "[]", Source: "api", RemoteAddr: addr, RequestID: reqID}); err != nil {
					t.Fatalf("Record with over-long values: %v", err)
				}
			}
			got, err := l.List(t.Context(), audit.Query{})
			if err != nil || len(got) != 2 {
				t.Fatalf("List = %v, %v", got, err)
			}
			e := got[0]
			for _, c := range []struct {
				name, got, full string
				size            int
			}{
				{"actor", e.Actor, actor, audit.ActorSize},
				{"request id", e.RequestID, reqID, audit.RequestIDSize},
				{"remote addr", e.RemoteAddr, addr, audit.RemoteAddrSize},
			} {
				prefix := strings.TrimSuffix(c.got, audit.TruncationMark)
				if utf8.RuneCountInString(c.got) != c.size || prefix == c.got || !strings.HasPrefix(c.full, prefix) {
					t.Errorf("%s = %q (%d characters); want the first characters and the mark, %d in all",
						c.name, c.got, utf8.RuneCountInString(c.got), c.size)
				}
			}
			if got[1].Actor != fits {
				t.Errorf("a value of exactly the column's size was changed: %d characters", utf8.RuneCountInString(got[1].Actor))
			}
			if !strings.Contains(logs.String(), actor) {
				t.Error("the log line lacks the full actor")
			}
		})
	}
}

func TestAuditNoteIsStored(t *testing.T) {
	db := dbtest.SQLite(t)
	l, err := audit.New(context.Background(), db.DB, audit.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Record(t.Context(), audit.Entry{Actor: "a", Action: audit.ActionGrant, Scope: "policy",
		Rules: "[]", Before: "[]", After: "[]", Changed: 1, Source: "api", Note: audit.NoteNotAnnounced}); err != nil {
		t.Fatal(err)
	}
	got, err := l.List(t.Context(), audit.Query{})
	if err != nil || len(got) != 1 || got[0].Note != audit.NoteNotAnnounced || got[0].Error != "" {
		t.Errorf("List = %+v, %v", got, err)
	}
}

// TestRecordStoresLargeChanges: a change as large as the API accepts (a
// body of up to 1 MiB) is stored whole and verifies on every database;
// MySQL/MariaDB's TEXT, 64 KiB, refused it and so failed the change.
func TestRecordStoresLargeChanges(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			l := chained(t, db, 1)
			rules := make([][]string, 8000)
			for i := range rules {
				rules[i] = []string{"p", "user-" + strings.Repeat("x", 40), "/posts/" + strings.Repeat("y", 40), "GET", "allow"}
			}
			big := audit.EncodeRules(rules)
			if len(big) < 1<<19 {
				t.Fatalf("test change is only %d bytes", len(big))
			}
			e, err := l.Record(t.Context(), audit.Entry{Actor: "alice", Action: audit.ActionGrant, Scope: "policy",
				Rules: big, Before: "[]", After: big, Changed: len(rules), Source: "api", Error: big, Note: big})
			if err != nil {
				t.Fatalf("Record of a %d-byte change: %v", len(big), err)
			}
			got, err := l.List(t.Context(), audit.Query{AfterID: e.ID - 1})
			if err != nil || len(got) != 1 || got[0].Rules != big || got[0].After != big || got[0].Note != big {
				t.Fatalf("List = %d entries, %v; want the change stored whole", len(got), err)
			}
			if _, err := l.Verify(t.Context(), audit.VerifyOptions{}); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}
