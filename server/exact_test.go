package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	gormadapter "github.com/casbin/gorm-adapter/v3"

	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
	"github.com/wardenhq/warden/server"
)

// TestRuleTwinsAreDistinctRules: rules for "Carol" beside "carol" and
// "rené" beside "rene" are granted, stored and revoked as distinct rules
// on every database: each grant reports one change and is in the table
// after a restart, and revoking a twin leaves the other's deny in force.
func TestRuleTwinsAreDistinctRules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		root := tok(t, "root", nil, nil)
		rule := func(sub string) string { return `{"ptype":"p","values":["` + sub + `","/posts/:id","GET","deny"]}` }
		change := func(method, sub string) server.ChangeResult {
			t.Helper()
			res := e.do(method, "/v1/rules", root, rule(sub))
			if res.status != http.StatusOK {
				t.Fatalf("%s %s: %d %s", method, sub, res.status, res.body)
			}
			var c server.ChangeResult
			res.json(t, &c)
			return c
		}
		for _, sub := range []string{"carol", "Carol", "rene", "rené"} {
			if c := change("POST", sub); c.Changed != 1 {
				t.Errorf("grant %s: changed %d, want 1", sub, c.Changed)
			}
		}
		if c := change("DELETE", "Carol"); c.Changed != 1 {
			t.Errorf("revoke Carol: changed %d", c.Changed)
		}
		if c := change("DELETE", "rené"); c.Changed != 1 {
			t.Errorf("revoke rené: changed %d", c.Changed)
		}
		// A restart reads what the store holds.
		m, err := enforcer.LoadModel("../conf/model.conf")
		if err != nil {
			t.Fatal(err)
		}
		restarted, err := policyadmin.OpenEnforcer(context.Background(), e.db.DB, m, policyadmin.DefaultPolicyTable,
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			sub  string
			deny bool
		}{{"carol", true}, {"Carol", false}, {"rene", true}, {"rené", false}} {
			held := slices.ContainsFunc(restarted.Rules("p"), func(r enforcer.Rule) bool {
				return slices.Equal(r.Values, []string{c.sub, "/posts/:id", "GET", "deny"})
			})
			if held != c.deny {
				t.Errorf("after restart, %s's deny stored = %v, want %v", c.sub, held, c.deny)
			}
		}
		if ok, err := restarted.Enforce(context.Background(), "carol", "/posts/1", "GET"); err != nil || ok {
			t.Errorf("after restart carol GET /posts/1 = %v, %v; want denied", ok, err)
		}
	})
}

// TestOpenEnforcerRefusesInexactTable: a casbin_rule table in MariaDB's
// default utf8mb4_general_ci (as gorm-adapter creates it) is refused,
// naming the column and the fix.
func TestOpenEnforcerRefusesInexactTable(t *testing.T) {
	db := dbtest.MySQL(t)
	if err := db.Exec("ALTER DATABASE `" + db.Name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := gormadapter.NewAdapterByDBUseTableName(db.DB, "", policyadmin.DefaultPolicyTable); err != nil {
		t.Fatal(err)
	}
	m, err := enforcer.LoadModel("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	_, err = policyadmin.OpenEnforcer(context.Background(), db.DB, m, policyadmin.DefaultPolicyTable, nil)
	if !errors.Is(err, sqlstore.ErrInexactColumns) {
		t.Fatalf("OpenEnforcer = %v, want ErrInexactColumns", err)
	}
	for _, w := range []string{"column v0", "utf8mb4_general_ci", "fix: ALTER TABLE `casbin_rule` MODIFY `ptype` VARBINARY(400)"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}
