package audit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
)

func TestRecordAndAppendOnly(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			dropAppendOnly(t, db, audit.DefaultTable)
			ctx := context.Background()
			var logs bytes.Buffer
			fixed := time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)
			l, err := audit.New(ctx, db.DB, audit.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))),
				audit.WithClock(func() time.Time { return fixed }))
			if err != nil {
				t.Fatal(err)
			}
			// Migrating twice (a restart) must be harmless.
			if err := l.Migrate(ctx); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			rule := [][]string{{"p", "alice", "/posts", "GET", "allow"}}
			in := audit.Entry{
				Actor: "admin", Action: audit.ActionGrant, Scope: "policy",
				Rules: audit.EncodeRules(rule), Before: audit.EncodeRules(nil), After: audit.EncodeRules(rule),
				Changed: 1, Source: "api", RemoteAddr: "192.0.2.1:5555", RequestID: "req-1",
			}
			stored, err := l.Record(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if stored.ID == 0 {
				t.Fatal("stored entry has no id")
			}
			if _, err := l.Record(ctx, audit.Entry{Actor: "os:root", Action: audit.ActionRevoke, Scope: "policy",
				Rules: audit.EncodeRules(rule), Before: audit.EncodeRules(rule), After: audit.EncodeRules(nil), Changed: 1, Source: "cli"}); err != nil {
				t.Fatal(err)
			}

			got, err := l.List(ctx, audit.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("got %d entries, want 2", len(got))
			}
			e := got[0]
			if e.Actor != "admin" || e.Action != "grant" || e.RemoteAddr != "192.0.2.1:5555" || e.RequestID != "req-1" ||
				e.Before != "[]" || e.After != `[["p","alice","/posts","GET","allow"]]` || !e.Time.Equal(fixed) {
				t.Errorf("stored entry = %+v", e)
			}
			if got[1].Actor != "os:root" || got[1].Before != `[["p","alice","/posts","GET","allow"]]` {
				t.Errorf("second entry = %+v", got[1])
			}
			byActor, err := l.List(ctx, audit.Query{Actor: "os:root"})
			if err != nil || len(byActor) != 1 {
				t.Fatalf("by actor: %v %v", byActor, err)
			}
			paged, err := l.List(ctx, audit.Query{AfterID: got[0].ID})
			if err != nil || len(paged) != 1 || paged[0].ID != got[1].ID {
				t.Fatalf("after id: %v %v", paged, err)
			}
			if !strings.Contains(logs.String(), `"msg":"policy change"`) || !strings.Contains(logs.String(), `"request_id":"req-1"`) {
				t.Errorf("slog output lacks the change: %s", logs.String())
			}

			// The database itself refuses to rewrite history.
			tx := db.Table(l.Table()).Where("id = ?", e.ID).Update("actor", "mallory")
			if tx.Error == nil {
				t.Error("UPDATE of an audit row succeeded")
			}
			if err := db.Exec("DELETE FROM " + l.Table()).Error; err == nil {
				t.Error("DELETE of audit rows succeeded")
			}
			if b.Name == "postgres" {
				if err := db.Exec("TRUNCATE " + l.Table()).Error; err == nil {
					t.Error("TRUNCATE of the audit table succeeded")
				}
			}
			after, err := l.List(ctx, audit.Query{})
			if err != nil || len(after) != 2 || after[0].Actor != "admin" {
				t.Fatalf("entries after refused changes: %v %v", after, err)
			}
		})
	}
}

func TestRecordFailureIsStillLogged(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	var logs bytes.Buffer
	l, err := audit.New(ctx, db.DB, audit.WithTable("audit_x"), audit.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("DROP TABLE audit_x").Error; err != nil {
		t.Fatal(err)
	}
	_, err = l.Record(ctx, audit.Entry{Actor: "bob", Action: audit.ActionGrant, Scope: "policy", Rules: "[]", Before: "[]", After: "[]", Source: "api"})
	if !errors.Is(err, audit.ErrWrite) {
		t.Fatalf("err = %v, want ErrWrite", err)
	}
	if !strings.Contains(logs.String(), `"actor":"bob"`) || !strings.Contains(logs.String(), "audit entry not stored") {
		t.Errorf("log lacks the change or the failure: %s", logs.String())
	}
}

func TestInvalidTable(t *testing.T) {
	db := dbtest.SQLite(t)
	for _, name := range []string{"", "a;DROP TABLE x", "1abc", "a-b", strings.Repeat("a", 64)} {
		if _, err := audit.New(context.Background(), db.DB, audit.WithTable(name)); !errors.Is(err, audit.ErrInvalidTable) {
			t.Errorf("table %q: err = %v, want ErrInvalidTable", name, err)
		}
	}
}

func TestRulesCodec(t *testing.T) {
	for _, in := range [][][]string{nil, {{"g", "alice", "admin"}}, {{"p", "a,b", `q"uote`, "x"}}} {
		got, err := audit.DecodeRules(audit.EncodeRules(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(in) {
			t.Fatalf("round trip of %v = %v", in, got)
		}
		for i := range in {
			if strings.Join(got[i], "\x00") != strings.Join(in[i], "\x00") {
				t.Errorf("round trip of %v = %v", in, got)
			}
		}
	}
}
