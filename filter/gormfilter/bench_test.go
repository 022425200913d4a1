package gormfilter_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter/gormfilter"
	"github.com/wardenhq/warden/filter/sqlfilter"
	"github.com/wardenhq/warden/models"
)

const benchRows = 1_000_000

// BenchmarkPage is one page of 50 out of 1,000,000 rows (a third of them
// hidden from the caller): through the plan's scope, against loading every
// row and calling Enforce on each. It runs only with -bench: filling the
// table takes seconds.
func BenchmarkPage(b *testing.B) {
	ctx := context.Background()
	m, err := models.Load(models.RESTful)
	if err != nil {
		b.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("reader", "/docs/:id", "GET"), enforcer.G("alice", "reader")); err != nil {
		b.Fatal(err)
	}
	fill := map[string]string{
		"sqlite": `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000)
			INSERT INTO docs (id, path) SELECT x, CASE WHEN x % 3 = 0 THEN '/secret/' || x ELSE '/docs/' || x END FROM c`,
		"postgres": `INSERT INTO docs (id, path) SELECT g, CASE WHEN g % 3 = 0 THEN '/secret/' || g ELSE '/docs/' || g END
			FROM generate_series(1, 1000000) g`,
	}
	for _, bk := range dbtest.Backends() {
		if fill[bk.Name] == "" {
			continue
		}
		b.Run(bk.Name, func(b *testing.B) {
			db := bk.Open(b)
			if err := db.Exec(createDocs(bk.Name)).Error; err != nil {
				b.Fatal(err)
			}
			if err := db.Exec(fill[bk.Name]).Error; err != nil {
				b.Fatal(err)
			}
			// Statistics, as a live table has them: without, PostgreSQL
			// guesses the filter's selectivity and scans.
			if err := db.Exec("ANALYZE docs").Error; err != nil {
				b.Fatal(err)
			}
			b.Run("scope", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					plan, err := e.Plan(ctx, enforcer.NewRequest("alice", enforcer.Unknown{}, "GET"))
					if err != nil {
						b.Fatal(err)
					}
					var page []doc
					if err := db.Scopes(gormfilter.Scope(plan, sqlfilter.Columns{"obj": "path"})).
						Order("id").Limit(50).Offset(50).Find(&page).Error; err != nil || len(page) != 50 {
						b.Fatal(err, len(page))
					}
				}
			})
			b.Run("enforce_each", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					page := enforceEach(b, ctx, e, db.DB)
					if len(page) != 50 {
						b.Fatal(len(page))
					}
				}
			})
		})
	}
}

// enforceEach is the listing without a plan: every row, then Enforce.
func enforceEach(b *testing.B, ctx context.Context, e *enforcer.Enforcer, db *gorm.DB) []doc {
	var all []doc
	if err := db.Order("id").Find(&all).Error; err != nil || len(all) != benchRows {
		b.Fatal(err, len(all))
	}
	var page []doc
	seen := 0
	for _, d := range all {
		ok, err := e.Enforce(ctx, "alice", d.Path, "GET")
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			continue
		}
		if seen++; seen > 50 && len(page) < 50 {
			page = append(page, d)
		}
	}
	return page
}
