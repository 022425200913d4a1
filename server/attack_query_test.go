package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/policyadmin"
)

// TestAttackQueryString is the attack suite of the query-string edge: a
// query is read whole or refused, on every endpoint, authenticated or
// not. Add a case in one line.
func TestAttackQueryString(t *testing.T) {
	runAttacks(t, []attack{
		{"control: admin scope", "GET", "/v1/rules?scope=admin", "", 200, ""},
		{"semicolon hides the scope", "POST", "/v1/rules?x=1;scope=admin", `{` + rule + `}`, 400, "query"},
		{"semicolon after the scope", "DELETE", "/v1/rules?scope=admin;x=1", `{` + rule + `}`, 400, "query"},
		{"semicolon alone", "POST", "/v1/check?;", `{"sub":"root","obj":"/","act":"GET"}`, 400, "query"},
		{"semicolon on readyz", "GET", "/readyz?a;b", "", 400, "query"},
		{"bad escape in a value", "GET", "/v1/rules?scope=%zz", "", 400, "scope"},
		{"truncated escape", "GET", "/healthz?x=%", "", 400, "x"},
		{"bad escape in a name", "GET", "/v1/rules?%zzscope=admin", "", 400, "query"},
		{"NUL in a value", "GET", "/v1/rules?subject=carol%00", "", 400, "subject"},
		{"newline in a value", "GET", "/v1/audit?actor=root%0A", "", 400, "actor"},
		{"invalid UTF-8 in a value", "GET", "/v1/rules?scope=admin%ff", "", 400, "scope"},
		{"control character in a name", "GET", "/v1/rules?scope%01=admin", "", 400, "query"},
		{"more pairs than the parser reads", "GET", "/v1/rules?" + strings.Repeat("scope=admin&", 10001), "", 400, "query"},
		{"misspelt name", "POST", "/v1/rules?Scope=admin", `{` + rule + `}`, 400, "Scope"},
		{"name given twice", "POST", "/v1/groups?scope=policy&scope=admin", `{"member":"mallory","role":"admin"}`, 400, "scope"},
		{"plus is a space", "POST", "/v1/groups?scope=admin+", `{"member":"mallory","role":"warden-admin"}`, 400, "scope"},
		{"query on a route that takes none", "POST", "/v1/check?scope=admin", `{"sub":"root","obj":"/","act":"GET"}`, 400, "scope"},
	})
}

// TestSemicolonQueryChangesNothing is issue 10 item 7: the grant meant for
// the admin policy, behind a ";" the parser drops, must change neither
// policy.
func TestSemicolonQueryChangesNothing(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	root := tok(t, "root", nil, nil)
	before := len(policyadmin.AllRules(e.policy)) + len(policyadmin.AllRules(e.admin))
	res := e.do("POST", "/v1/groups?x=1;scope=admin", root, `{"member":"mallory","role":"viewer"}`)
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	if after := len(policyadmin.AllRules(e.policy)) + len(policyadmin.AllRules(e.admin)); after != before {
		t.Fatalf("rules went from %d to %d", before, after)
	}
}
