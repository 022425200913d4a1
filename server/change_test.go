package server_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
	"github.com/wardenhq/warden/server"
)

// TestGrantRevokeAuditExport runs the management cycle on every database.
func TestGrantRevokeAuditExport(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			root := tok(t, "root", nil, nil)
			check := func(sub, obj, act string) bool {
				t.Helper()
				res := e.do("POST", "/v1/check", root, `{"sub":"`+sub+`","obj":"`+obj+`","act":"`+act+`"}`)
				var d server.CheckResult
				res.json(t, &d)
				return d.Allowed
			}
			change := func(method, path, body string) server.ChangeResult {
				t.Helper()
				res := e.do(method, path, root, body, "X-Request-Id", "req-"+method+path)
				if res.status != http.StatusOK {
					t.Fatalf("%s %s: %d %s", method, path, res.status, res.body)
				}
				var c server.ChangeResult
				res.json(t, &c)
				return c
			}
			if check("dave", "/reports", "GET") {
				t.Fatal("dave allowed before any grant")
			}

			rule := `{"ptype":"p","values":["dave","/reports","GET","allow"]}`
			c := change("POST", "/v1/rules", rule)
			if c.Changed != 1 || len(c.Before) != 0 || len(c.After) != 1 || c.AuditID == 0 {
				t.Errorf("grant = %+v", c)
			}
			if !check("dave", "/reports", "GET") {
				t.Error("dave denied after the grant")
			}
			if again := change("POST", "/v1/rules", rule); again.Changed != 0 || len(again.Before) != 1 {
				t.Errorf("second grant = %+v", again)
			}

			// A group grant gives erin everything editor has.
			g := change("POST", "/v1/groups", `{"member":"erin","role":"editor"}`)
			if g.Changed != 1 || !slices.Equal(g.After[0].Values, []string{"erin", "editor"}) || g.After[0].PType != "g" {
				t.Errorf("group grant = %+v", g)
			}
			if !check("erin", "/posts/1", "PUT") {
				t.Error("erin denied editor's PUT after the group grant")
			}

			// Export holds the granted rules and reads back as a policy.
			res := e.do("GET", "/v1/policy.csv", root, "")
			if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("export: %d %v", res.status, res.header)
			}
			for _, want := range []string{"p, dave, /reports, GET, allow\n", "g, erin, editor\n", "p, admin, /audit/*, DELETE, deny\n"} {
				if !strings.Contains(string(res.body), want) {
					t.Errorf("export lacks %q:\n%s", want, res.body)
				}
			}
			if n := strings.Count(string(res.body), "\n"); n != len(policyadmin.AllRules(e.policy)) {
				t.Errorf("export has %d lines, policy %d rules", n, len(policyadmin.AllRules(e.policy)))
			}

			r := change("DELETE", "/v1/rules", rule)
			if r.Changed != 1 || len(r.Before) != 1 || len(r.After) != 0 {
				t.Errorf("revoke = %+v", r)
			}
			if check("dave", "/reports", "GET") {
				t.Error("dave allowed after the revoke")
			}
			if rg := change("DELETE", "/v1/groups", `{"member":"erin","role":"editor"}`); rg.Changed != 1 {
				t.Errorf("group revoke = %+v", rg)
			}
			if check("erin", "/posts/1", "PUT") {
				t.Error("erin allowed after the group revoke")
			}

			// Batch form.
			if bt := change("POST", "/v1/rules", `{"rules":[{"ptype":"g","values":["f1","viewer"]},{"ptype":"g","values":["f2","viewer"]}]}`); bt.Changed != 2 {
				t.Errorf("batch grant = %+v", bt)
			}

			// Every change is in the audit table, with before and after.
			entries, err := e.audit.List(t.Context(), audit.Query{Actor: "root"})
			if err != nil {
				t.Fatal(err)
			}
			type row struct{ action, before, after string }
			var got []row
			for _, en := range entries {
				got = append(got, row{en.Action, en.Before, en.After})
				if en.Source != "api" || en.Scope != "policy" || en.RemoteAddr == "" || !strings.HasPrefix(en.RequestID, "req-") || en.Time.IsZero() {
					t.Errorf("entry lacks context: %+v", en)
				}
			}
			dave := `[["p","dave","/reports","GET","allow"]]`
			erin := `[["g","erin","editor"]]`
			want := []row{
				{"grant", "[]", dave}, {"grant", dave, dave}, {"grant", "[]", erin},
				{"revoke", dave, "[]"}, {"revoke", erin, "[]"},
				{"grant", "[]", `[["g","f1","viewer"],["g","f2","viewer"]]`},
			}
			if !slices.Equal(got, want) {
				t.Errorf("audit rows:\n got %v\nwant %v", got, want)
			}
			// And through the API.
			ar := e.do("GET", "/v1/audit?actor=root&limit=2", root, "")
			var page server.AuditPage
			ar.json(t, &page)
			if ar.status != http.StatusOK || len(page.Entries) != 2 || page.Entries[0].Action != "grant" ||
				!slices.Equal(page.Entries[0].After[0], []string{"p", "dave", "/reports", "GET", "allow"}) || page.NextAfterID == nil {
				t.Fatalf("GET /v1/audit: %d %s", ar.status, ar.body)
			}
			ar = e.do("GET", "/v1/audit?actor=root&limit=100&after_id="+strconv.FormatUint(*page.NextAfterID, 10), root, "")
			page = server.AuditPage{}
			ar.json(t, &page)
			if len(page.Entries) != len(want)-2 || page.NextAfterID != nil || page.Entries[0].Action != "grant" {
				t.Errorf("second audit page: %s", ar.body)
			}
		})
	}
}

func TestAdminScope(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	root, dave := tok(t, "root", nil, nil), tok(t, "dave", nil, nil)
	if res := e.do("GET", "/v1/rules", dave, ""); res.status != http.StatusForbidden {
		t.Fatalf("dave before: %d", res.status)
	}
	res := e.do("POST", "/v1/groups?scope=admin", root, `{"member":"dave","role":"warden-admin"}`)
	if res.status != http.StatusOK {
		t.Fatalf("admin grant: %d %s", res.status, res.body)
	}
	if res := e.do("GET", "/v1/rules", dave, ""); res.status != http.StatusOK {
		t.Fatalf("dave after admin grant: %d %s", res.status, res.body)
	}
	// The served policy is untouched.
	if slices.ContainsFunc(e.policy.Rules("g"), func(r enforcer.Rule) bool { return r.Values[0] == "dave" }) {
		t.Error("admin grant leaked into the served policy")
	}
	// The admin model validates its own rules: p is sub, perm, eft.
	bad := e.do("POST", "/v1/rules?scope=admin", root, `{"ptype":"p","values":["x","/a","GET","allow"]}`)
	if bad.status != http.StatusBadRequest || bad.errorBody(t).Field != "values" {
		t.Errorf("admin rule with served-model shape: %d %s", bad.status, bad.body)
	}
	entries, _ := e.audit.List(t.Context(), audit.Query{Actor: "root"})
	if len(entries) != 1 || entries[0].Scope != "admin" {
		t.Errorf("audit = %+v", entries)
	}
	if res := e.do("DELETE", "/v1/groups?scope=admin", dave, `{"member":"dave","role":"warden-admin"}`); res.status != http.StatusOK {
		t.Fatalf("dave revokes himself: %d", res.status)
	}
	if res := e.do("GET", "/v1/rules", dave, ""); res.status != http.StatusForbidden {
		t.Fatalf("dave after revoke: %d", res.status)
	}
}

func TestListPagination(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			root := tok(t, "root", nil, nil)
			all := e.policy.Rules("p")
			var seen []server.RuleJSON
			offset := 0
			pages := 0
			for {
				res := e.do("GET", "/v1/rules?ptype=p&limit=3&offset="+itoa(offset), root, "")
				if res.status != http.StatusOK {
					t.Fatalf("%d %s", res.status, res.body)
				}
				var p server.RulesPage
				res.json(t, &p)
				if p.Total != len(all) || p.Limit != 3 || p.Offset != offset || len(p.Rules) > 3 {
					t.Fatalf("page = %+v", p)
				}
				seen = append(seen, p.Rules...)
				pages++
				if p.NextOffset == nil {
					break
				}
				offset = *p.NextOffset
			}
			if len(seen) != len(all) || pages != (len(all)+2)/3 {
				t.Fatalf("saw %d rules in %d pages, want %d", len(seen), pages, len(all))
			}
			for i, r := range all {
				if !slices.Equal(seen[i].Values, r.Values) {
					t.Errorf("rule %d = %v, want %v", i, seen[i].Values, r.Values)
				}
			}
			res := e.do("GET", "/v1/rules?ptype=g&subject=bob", root, "")
			var bob server.RulesPage
			res.json(t, &bob)
			if res.status != http.StatusOK || bob.Total != 1 || len(bob.Rules) != 1 || !slices.Equal(bob.Rules[0].Values, []string{"bob", "editor"}) {
				t.Errorf("rules of bob: %d %s", res.status, res.body)
			}
			res = e.do("GET", "/v1/rules?ptype=g&offset=1000", root, "")
			var p server.RulesPage
			res.json(t, &p)
			if res.status != http.StatusOK || len(p.Rules) != 0 || p.NextOffset != nil || p.Total != len(e.policy.Rules("g")) {
				t.Errorf("past the end: %d %s", res.status, res.body)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestAuditFailureIsReported: the audit row is part of the change. When it
// cannot be stored the change is not made either: 503 audit_failed, no rule
// row, not in force here nor on another instance, and the attempt is in
// the log.
func TestAuditFailureIsReported(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			e := newEnv(t, b.Open)
			if err := e.db.Exec("DROP TABLE " + e.audit.Table()).Error; err != nil {
				t.Fatal(err)
			}
			res := e.do("POST", "/v1/groups", tok(t, "root", nil, nil), `{"member":"kim","role":"editor"}`, "X-Request-Id", "aud-1")
			if res.status != http.StatusServiceUnavailable || res.errorBody(t).Error != "audit_failed" {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			var n int64
			if err := e.db.Table(policyadmin.DefaultPolicyTable).Where("v0 = ?", "kim").Count(&n).Error; err != nil || n != 0 {
				t.Fatalf("%d rule rows for kim (%v); want none", n, err)
			}
			m, err := enforcer.LoadModel("../conf/model.conf")
			if err != nil {
				t.Fatal(err)
			}
			other, err := policyadmin.OpenEnforcer(t.Context(), e.db.DB, m, policyadmin.DefaultPolicyTable, nil)
			if err != nil {
				t.Fatal(err)
			}
			for name, en := range map[string]*enforcer.Enforcer{"this": e.policy, "other": other} {
				if err := en.CatchUp(t.Context()); err != nil {
					t.Fatal(err)
				}
				if ok, _ := en.Enforce(t.Context(), "kim", "/posts", "POST"); ok {
					t.Errorf("the unaudited grant is in force on the %s instance", name)
				}
			}
			logs := e.logs.String()
			if !strings.Contains(logs, `"msg":"policy change","actor":"root"`) || !strings.Contains(logs, "aud-1") {
				t.Errorf("the attempt is not in the log: %s", logs)
			}
			if strings.Contains(string(res.body), "exist") || strings.Contains(string(res.body), "table") {
				t.Errorf("body leaks the cause: %s", res.body)
			}
		})
	}
}

func TestChangeObserver(t *testing.T) {
	type seen struct {
		scope, action string
		changed       int
		outcome       string
	}
	var got []seen
	var mu sync.Mutex
	e := newEnv(t, dbtest.SQLite, server.WithChangeObserver(func(scope, action string, changed int, outcome string) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, seen{scope, action, changed, outcome})
	}))
	root := tok(t, "root", nil, nil)
	e.do("POST", "/v1/groups", root, `{"member":"lou","role":"viewer"}`)
	e.do("DELETE", "/v1/groups?scope=admin", root, `{"member":"lou","role":"warden-admin"}`)
	e.do("POST", "/v1/groups", root, `{"member":"lou"}`) // invalid input never reaches the policy
	if err := e.db.Exec("DROP TABLE " + e.audit.Table()).Error; err != nil {
		t.Fatal(err)
	}
	e.do("DELETE", "/v1/groups", root, `{"member":"lou","role":"viewer"}`)
	sqlDB, _ := e.db.DB.DB()
	_ = sqlDB.Close()
	e.do("POST", "/v1/groups", root, `{"member":"max","role":"viewer"}`)
	want := []seen{
		{"policy", "grant", 1, "ok"},
		{"admin", "revoke", 0, "ok"},
		{"policy", "revoke", 0, "audit_failed"}, // not made: the audit row is part of it
		{"policy", "grant", 0, "unavailable"},
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, want) {
		t.Errorf("observed %v, want %v", got, want)
	}
}
