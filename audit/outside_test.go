package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
)

// TestRowsOutsideTheChainAreForged: rows that the database role inserts
// (no trigger refuses an INSERT) with values that no query of the chain
// reads — a negative seq, an id below 1 that passes for a row from before
// the chain, a text or real seq on SQLite — and a time changed below the
// hashed millisecond, are named by Verify instead of passing as ok or as
// an unreadable table.
func TestRowsOutsideTheChainAreForged(t *testing.T) {
	ctx := context.Background()
	type tamper struct {
		name    string
		dialect string // "" for every database
		do      func(t *testing.T, db *gorm.DB, l *audit.Log)
		kind    string
		detail  string
	}
	insert := func(t *testing.T, db *gorm.DB, l *audit.Log, cols, vals string) {
		t.Helper()
		must(t, db.Exec(fmt.Sprintf("INSERT INTO %s (%stime, actor, action, scope, rules, %s, %s, changed, source) VALUES (%s'2026-12-01 10:00:00', 'mallory', 'grant', 'policy', '[]', '[]', '[]', 1, 'api')",
			q(db, l.Table()), cols, q(db, "before"), q(db, "after"), vals)).Error)
	}
	cases := []tamper{
		{name: "negative seq", dialect: "postgres", kind: audit.KindForged, detail: "seq -1", do: func(t *testing.T, db *gorm.DB, l *audit.Log) {
			insert(t, db, l, "seq, ", "-1, ")
		}},
		{name: "negative seq", dialect: "sqlite", kind: audit.KindForged, detail: "seq -1", do: func(t *testing.T, db *gorm.DB, l *audit.Log) {
			insert(t, db, l, "seq, ", "-1, ")
		}},
		{name: "id 0 without seq", dialect: "postgres", kind: audit.KindForged, detail: "id 0", do: func(t *testing.T, db *gorm.DB, l *audit.Log) {
			insert(t, db, l, "id, ", "0, ")
		}},
		{name: "id 0 without seq", dialect: "sqlite", kind: audit.KindForged, detail: "id 0", do: func(t *testing.T, db *gorm.DB, l *audit.Log) {
			insert(t, db, l, "id, ", "0, ")
		}},
		{name: "negative id without seq", dialect: "postgres", kind: audit.KindForged, detail: "id -7", do: func(t *testing.T, db *gorm.DB, l *audit.Log) {
			insert(t, db, l, "id, ", "-7, ")
		}},
		{name: "negative id without seq", dialect: "sqlite", kind: audit.KindForged, detail: "id -7", do: func(t *testing.T, db *gorm.DB, l *audit.Log) {
			insert(t, db, l, "id, ", "-7, ")
		}},
		{name: "text seq", dialect: "sqlite", kind: audit.KindForged, detail: "seq x", do: func(t *testing.T, db *gorm.DB, l *audit.Log) {
			insert(t, db, l, "seq, ", "'x', ")
		}},
		{name: "real seq", dialect: "sqlite", kind: audit.KindForged, detail: "seq 2.5", do: func(t *testing.T, db *gorm.DB, l *audit.Log) {
			insert(t, db, l, "seq, ", "2.5, ")
		}},
		{name: "time moved below the millisecond", dialect: "postgres", kind: audit.KindAltered, detail: "finer than", do: func(t *testing.T, db *gorm.DB, l *audit.Log) {
			dropTriggers(t, db, l.Table())
			must(t, db.Exec(fmt.Sprintf("UPDATE %s SET time = time + interval '900 microseconds' WHERE seq = 2", l.Table())).Error)
		}},
		{name: "time moved below the millisecond", dialect: "sqlite", kind: audit.KindAltered, detail: "finer than", do: func(t *testing.T, db *gorm.DB, l *audit.Log) {
			dropTriggers(t, db, l.Table())
			var s string
			must(t, db.Raw(fmt.Sprintf(`SELECT time FROM "%s" WHERE seq = 2`, l.Table())).Scan(&s).Error)
			if !strings.HasSuffix(s, "Z") {
				t.Fatalf("stored time %q, want RFC 3339 in UTC", s)
			}
			// Parsed and formatted again, not edited as text: RFC 3339
			// drops trailing zeros (".120Z" is ".12Z", ".000Z" is "Z"), so
			// appending a digit moved the time by milliseconds one run in ten.
			at, err := time.Parse(time.RFC3339Nano, s)
			must(t, err)
			moved := at.Add(900 * time.Microsecond).Format(time.RFC3339Nano)
			must(t, db.Exec(fmt.Sprintf(`UPDATE "%s" SET time = ? WHERE seq = 2`, l.Table()), moved).Error)
		}},
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			for _, c := range cases {
				if c.dialect != b.Name {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					l := chained(t, db, 3)
					c.do(t, db.DB, l)
					rep, err := l.Verify(ctx, audit.VerifyOptions{})
					var ce *audit.ChainError
					if !errors.As(err, &ce) || !errors.Is(err, audit.ErrTampered) {
						t.Fatalf("Verify = %+v, %v; want a ChainError", rep, err)
					}
					if ce.Kind != c.kind || !strings.Contains(err.Error(), c.detail) {
						t.Errorf("Verify said %v; want %s naming %q", err, c.kind, c.detail)
					}
				})
			}
		})
	}
}
