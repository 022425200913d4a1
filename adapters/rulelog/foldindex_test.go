package rulelog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
)

// TestFoldingIndexIsNotAStoredRule: the columns compare exactly
// (RequireExactColumns accepts them), but the table's owner adds a unique
// index that folds case. A grant of "Carol" beside "carol" then conflicts
// on that index; it must fail, not answer "nothing changed" (the rule
// already there) while the store holds no rule for Carol.
func TestFoldingIndexIsNotAStoredRule(t *testing.T) {
	folding := map[string]string{
		"sqlite":   `CREATE UNIQUE INDEX fold_%[1]s ON "%[1]s" (ptype, v0 COLLATE NOCASE, v1, v2, v3, v4, v5)`,
		"postgres": `CREATE UNIQUE INDEX fold_%[1]s ON "%[1]s" (ptype, lower(v0), v1, v2, v3, v4, v5)`,
	}
	for _, b := range dbtest.Backends() {
		ddl, ok := folding[b.Name]
		if !ok {
			continue // MySQL/MariaDB: an index compares as its column does
		}
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			s := newStore(t, db.DB)
			ctx := context.Background()
			if err := db.Exec(fmt.Sprintf(ddl, s.Table())).Error; err != nil {
				t.Fatal(err)
			}
			if err := sqlstore.RequireExactColumns(ctx, db.DB, s.Table(), "ptype", "v0", "v1", "v2", "v3", "v4", "v5"); err != nil {
				t.Fatalf("columns: %v", err)
			}
			grant := func(who string) (enforcer.Written, error) {
				return s.WriteChanges(ctx, enforcer.ChangeSet{Op: enforcer.OpAdd,
					Rules: []enforcer.Rule{{PType: "p", Values: []string{who, "/x", "GET"}}}})
			}
			if w, err := grant("carol"); err != nil || len(w.Changed) != 1 {
				t.Fatalf("grant carol = %+v, %v", w, err)
			}
			if w, err := grant("carol"); err != nil || len(w.Changed) != 0 {
				t.Fatalf("grant of the stored rule = %+v, %v; want nothing changed", w, err)
			}
			if w, err := grant("Carol"); err == nil {
				t.Fatalf("grant Carol beside carol under a folding index = %+v; want an error", w)
			}
		})
	}
}
