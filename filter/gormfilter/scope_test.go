package gormfilter_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/filter/gormfilter"
	"github.com/wardenhq/warden/filter/sqlfilter"
	"github.com/wardenhq/warden/filter/sqliteregexp"
	"github.com/wardenhq/warden/models"
)

func TestMain(m *testing.M) {
	if err := sqliteregexp.Register(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

type doc struct {
	ID   int
	Path string `gorm:"type:varbinary(255)"`
}

// TestScopePaginates: the scope composes with Order, Limit, Offset and
// other scopes, and a page holds only allowed rows, on every backend.
func TestScopePaginates(t *testing.T) {
	ctx := context.Background()
	m, err := models.Load(models.RESTful)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(ctx, enforcer.P("reader", "/docs/:id", "GET"), enforcer.G("alice", "reader")); err != nil {
		t.Fatal(err)
	}
	plan, err := e.Plan(ctx, enforcer.NewRequest("alice", enforcer.Unknown{}, "GET"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			if err := db.Exec(createDocs(b.Name)).Error; err != nil {
				t.Fatal(err)
			}
			var want []int
			for i := 1; i <= 30; i++ {
				path := fmt.Sprintf("/docs/%d", i)
				if i%3 == 0 {
					path = fmt.Sprintf("/secret/%d", i)
				}
				if i%7 == 0 {
					path = fmt.Sprintf("/docs/%d/x", i)
				}
				if err := db.Create(&doc{ID: i, Path: path}).Error; err != nil {
					t.Fatal(err)
				}
				if ok, _ := e.Enforce(ctx, "alice", path, "GET"); ok {
					want = append(want, i)
				}
			}
			above := func(n int) func(*gorm.DB) *gorm.DB {
				return func(db *gorm.DB) *gorm.DB { return db.Where("id > ?", n) }
			}
			var page []doc
			err := db.Scopes(gormfilter.Scope(plan, sqlfilter.Columns{"obj": "path"}), above(2)).
				Order("id DESC").Limit(5).Offset(3).Find(&page).Error
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, d := range page {
				got = append(got, d.ID)
			}
			var all []int
			for i := len(want) - 1; i >= 0; i-- {
				if want[i] > 2 {
					all = append(all, want[i])
				}
			}
			if !slices.Equal(got, all[3:8]) {
				t.Fatalf("page %v, want %v", got, all[3:8])
			}
		})
	}
}

// TestScopeFailsClosed: a plan the dialect cannot state fails the query.
func TestScopeFailsClosed(t *testing.T) {
	db := dbtest.SQLite(t)
	if err := db.Exec(createDocs("sqlite")).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&doc{ID: 1, Path: "/x"}).Error; err != nil {
		t.Fatal(err)
	}
	var out []doc
	p := filter.Plan{Kind: filter.Conditional, Cond: filter.Eq("obj", "/x")}
	err := db.Scopes(gormfilter.Scope(p, sqlfilter.Columns{})).Find(&out).Error
	if err == nil || len(out) != 0 {
		t.Fatalf("got %v, %v; want an error and no rows", out, err)
	}
	if err := db.Scopes(gormfilter.Scope(filter.Plan{}, nil)).Find(&out).Error; err != nil || len(out) != 0 {
		t.Fatalf("always denied: %v, %v", out, err)
	}
}

func createDocs(backend string) string {
	if backend == "mysql" {
		return "CREATE TABLE docs (id INTEGER PRIMARY KEY, path VARBINARY(255))"
	}
	return "CREATE TABLE docs (id INTEGER PRIMARY KEY, path TEXT)"
}
