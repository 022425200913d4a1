package audit_test

import (
	"context"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
)

// BenchmarkRecord measures one chained append (lock the head, hash,
// insert, move the head, commit) on each database.
func BenchmarkRecord(b *testing.B) {
	for _, be := range dbtest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			db := be.Open(b)
			l, err := audit.New(context.Background(), db.DB, audit.WithLogger(quiet))
			if err != nil {
				b.Fatal(err)
			}
			e := audit.Entry{Actor: "bench", Action: audit.ActionGrant, Scope: "policy", Source: "api",
				Rules: `[["p","alice","/posts/:id","GET","allow"]]`, Before: "[]", After: `[["p","alice","/posts/:id","GET","allow"]]`, Changed: 1}
			for b.Loop() {
				if _, err := l.Record(context.Background(), e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify measures Verify over a log of 1,000 entries (SQLite).
func BenchmarkVerify(b *testing.B) {
	db := dbtest.SQLite(b)
	ctx := context.Background()
	l, err := audit.New(ctx, db.DB, audit.WithLogger(quiet))
	if err != nil {
		b.Fatal(err)
	}
	for range 1000 {
		if _, err := l.Record(ctx, audit.Entry{Actor: "bench", Action: audit.ActionGrant, Scope: "policy", Source: "api",
			Rules: "[]", Before: "[]", After: "[]"}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if rep, err := l.Verify(ctx, audit.VerifyOptions{}); err != nil || rep.Entries != 1000 {
			b.Fatal(rep, err)
		}
	}
}
