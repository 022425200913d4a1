package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/internal/rulecases"
	"github.com/wardenhq/warden/policyadmin"
	"github.com/wardenhq/warden/server"
)

// TestAdminCommands runs grant, list and revoke against every database and
// checks the audit rows they leave.
func TestAdminCommands(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			channel := dbtest.Unique()
			cli := func(args ...string) (int, string, string) {
				t.Helper()
				base := []string{"--db", db.DSN}
				if args[0] != "audit" { // the audit log is read with no model
					base = append(base, "--model", confModel)
				}
				if args[0] == "grant" || args[0] == "revoke" { // only a change is announced
					base = append(base, "--channel", channel)
				}
				var out, errb bytes.Buffer
				code := run(append(args[:1:1], append(base, args[1:]...)...), &out, &errb)
				return code, out.String(), errb.String()
			}
			steps := []struct {
				args   []string
				code   int
				stdout string // substring
				stderr string // substring
			}{
				{[]string{"list"}, 0, "", ""},
				{[]string{"grant", "g", "yan", "viewer"}, 0, "granted: g, yan, viewer (audit #", ""},
				{[]string{"grant", "g", "yan", "viewer"}, 0, "already present: g, yan, viewer", ""},
				{[]string{"grant", "p", "yan", "/reports", "GET", "allow"}, 0, "granted: p, yan, /reports, GET, allow", ""},
				{[]string{"list", "--ptype", "g"}, 0, "g, yan, viewer\n", ""},
				{[]string{"revoke", "g", "yan", "viewer"}, 0, "revoked: g, yan, viewer", ""},
				{[]string{"revoke", "g", "yan", "viewer"}, 0, "not present: g, yan, viewer", ""},
				{[]string{"grant", "--scope", "admin", "g", "yan", policyadmin.AdminRole}, 0, "granted: g, yan, warden-admin", ""},
				{[]string{"list", "--scope", "admin"}, 0, "g, yan, warden-admin\n", ""},
				// Errors.
				{[]string{"grant", "g"}, 2, "", "give a rule as PTYPE VALUE"},
				{[]string{"grant", "g", "yan"}, 2, "", "invalid rule"},
				{[]string{"grant", "g", "a", "b", "c"}, 2, "", "invalid rule"},
				{[]string{"grant", "p9", "a", "b"}, 2, "", "invalid rule"},
				{[]string{"grant", "--scope", "other", "g", "a", "b"}, 2, "", "--scope must be"},
				{[]string{"list", "--ptype", "g7"}, 2, "", `ptype "g7" is not defined`},
				{[]string{"list", "extra"}, 2, "", "unexpected arguments"},
			}
			for _, s := range steps {
				code, out, errOut := cli(s.args...)
				if code != s.code || !strings.Contains(out, s.stdout) || !strings.Contains(errOut, s.stderr) {
					t.Errorf("warden %v: exit %d, stdout %q, stderr %q; want exit %d, stdout ~%q, stderr ~%q",
						s.args, code, out, errOut, s.code, s.stdout, s.stderr)
				}
			}
			// JSON listing.
			code, out, _ := cli("list", "--json", "--ptype", "p")
			var rules []struct {
				PType  string
				Values []string
			}
			if err := json.Unmarshal([]byte(out), &rules); code != 0 || err != nil || len(rules) != 1 || rules[0].Values[0] != "yan" {
				t.Errorf("list --json: %d %q %v", code, out, err)
			}

			// Every change, failed or not, is audited with the OS user.
			l, err := audit.New(context.Background(), db.DB)
			if err != nil {
				t.Fatal(err)
			}
			entries, err := l.List(context.Background(), audit.Query{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				if e.Actor != osActor() || e.Source != "cli" {
					t.Errorf("entry %d: actor %q source %q", e.ID, e.Actor, e.Source)
				}
				got = append(got, e.Action+" "+e.Scope+" "+e.Before+" -> "+e.After)
			}
			want := []string{
				`grant policy [] -> [["g","yan","viewer"]]`,
				`grant policy [["g","yan","viewer"]] -> [["g","yan","viewer"]]`,
				`grant policy [] -> [["p","yan","/reports","GET","allow"]]`,
				`revoke policy [["g","yan","viewer"]] -> []`,
				`revoke policy [] -> []`,
				`grant admin [] -> [["g","yan","warden-admin"]]`,
				// Rules refused by validation change nothing and, as on the
				// API, leave no entry.
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}

			// warden audit prints the same entries, pageable.
			code, out, errOut := cli("audit", "--limit", "2")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			var first audit.Entry
			if code != 0 || len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &first) != nil || first.ID != entries[0].ID || first.Actor != osActor() {
				t.Fatalf("audit: %d %q %q", code, out, errOut)
			}
			code, out, _ = cli("audit", "--after-id", fmt.Sprint(entries[len(entries)-2].ID))
			if code != 0 || strings.Count(out, "\n") != 1 {
				t.Errorf("audit --after-id: %d %q", code, out)
			}
		})
	}
}

func TestAdminNeedsDB(t *testing.T) {
	t.Setenv("WARDEN_DB", "")
	var out, errb bytes.Buffer
	if code := run([]string{"list"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "--db is required") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestGrantValidatesLikeTheAPI: the command line refuses, naming the
// field, every rule the API refuses, and stores nothing.
func TestGrantValidatesLikeTheAPI(t *testing.T) {
	db := dbtest.SQLite(t)
	base := []string{"--db", db.DSN, "--model", confModel}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"eft neither allow nor deny", []string{"p", "carol", "/y", "GET", "maybe"}, "values[3]: must be allow or deny"},
		{"leading space", []string{"p", " carol", "/y", "GET", "allow"}, "values[0]: leading or trailing space"},
		{"trailing space in a group", []string{"g", "carol", "editor "}, "values[1]: leading or trailing space"},
		{"empty value", []string{"g", "carol", ""}, "values[1]: must not be empty"},
		{"control character", []string{"g", "car\nol", "editor"}, "values[0]: contains the control character U+000A"},
		// Rule values the matcher's functions cannot read, or that read
		// differently from what they do (issue 10, items 11, 12 and 15).
		{"keyMatch2 pattern that does not compile", []string{"p", "carol", "/posts(", "GET", "allow"}, `values[1]: "/posts(" is not a valid keyMatch2 pattern`},
		{"keyMatch2 pattern too costly", []string{"p", "carol", "/a{1000}", "GET", "allow"}, "regexp instructions, over the limit of 128"},
		{"bidi override", []string{"g", "car\u202eol", "editor"}, "values[0]: contains the invisible character U+202E"},
		{"zero-width space", []string{"g", "carol", "edi\u200btor"}, "values[1]: contains the invisible character U+200B"},
		{"byte order mark", []string{"p", "\ufeffcarol", "/y", "GET", "allow"}, "values[0]: contains the invisible character U+FEFF"},
		{"too long", []string{"g", strings.Repeat("c", server.MaxValueLen+1), "editor"}, "values[0]: longer than"},
		{"too few values", []string{"p", "carol", "/y", "GET"}, "values: must have 4 values"},
		{"unknown ptype", []string{"p9", "a", "b"}, `ptype: ptype "p9" is not defined`},
		{"admin deny written with !", []string{"--scope", "admin", "p", "bob", "!warden:admin", "allow"}, "values[1]: not a valid permission"},
		{"admin permission with a space", []string{"--scope", "admin", "p", "bob", "warden admin", "allow"}, "values[1]: not a valid permission"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, cmd := range []string{"grant", "revoke"} {
				var out, errb bytes.Buffer
				args := append([]string{cmd}, base...)
				code := run(append(args, tt.args...), &out, &errb)
				if code != exitError || !strings.Contains(errb.String(), tt.stderr) || !strings.Contains(errb.String(), "invalid rule") {
					t.Errorf("warden %s %q: exit %d, stderr %q; want exit %d naming %q", cmd, tt.args, code, errb.String(), exitError, tt.stderr)
				}
			}
		})
	}
	var out, errb bytes.Buffer
	for _, scope := range []string{"policy", "admin"} {
		out.Reset()
		if code := run(append([]string{"list", "--scope", scope}, base...), &out, &errb); code != exitOK {
			t.Fatalf("list: %d %s", code, errb.String())
		}
		for _, bad := range []string{"carol", "bob"} {
			if strings.Contains(out.String(), bad) {
				t.Errorf("%s policy holds a refused rule:\n%s", scope, out.String())
			}
		}
	}
	l, err := audit.New(context.Background(), db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if entries, err := l.List(context.Background(), audit.Query{}); err != nil || len(entries) != 0 {
		t.Errorf("refused rules were audited: %+v %v", entries, err)
	}
}

// TestRevokeLastAdminRefused: the command line refuses, as the API does,
// the admin change that would leave nobody with warden:admin.
func TestRevokeLastAdminRefused(t *testing.T) {
	db := dbtest.SQLite(t)
	cli := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(append([]string{args[0], "--db", db.DSN, "--model", confModel, "--scope", "admin"}, args[1:]...), &out, &errb)
		return code, errb.String()
	}
	if code, errOut := cli("grant", "p", policyadmin.AdminRole, "warden:*", "allow"); code != exitOK {
		t.Fatalf("grant: %d %s", code, errOut)
	}
	code, errOut := cli("revoke", "p", policyadmin.AdminRole, "warden:*", "allow")
	if code == exitOK || !strings.Contains(errOut, "would leave no identity of the admin policy with warden:admin") {
		t.Errorf("revoke of the last admin grant: exit %d, stderr %q; want refused", code, errOut)
	}
	if code, errOut := cli("grant", "g", "root", policyadmin.AdminRole); code != exitOK {
		t.Fatalf("grant root: %d %s", code, errOut)
	}
	// A deny for the role would lock root out just the same.
	if code, errOut := cli("grant", "p", policyadmin.AdminRole, "warden:admin", "deny"); code == exitOK {
		t.Errorf("deny for the admin role accepted: %s", errOut)
	}
}

// TestGrantRuleValueAttacks runs the rule-value attack suite through
// `warden grant`: each rule is refused naming the value at fault, nothing is
// stored, and stderr shows the invisible characters escaped, never raw
// (issue 10, items 11, 12, 15).
func TestGrantRuleValueAttacks(t *testing.T) {
	db := dbtest.SQLite(t)
	base := []string{"grant", "--db", db.DSN, "--model", filepath.Join("..", "..", rulecases.Model)}
	for _, tc := range rulecases.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append(append([]string{}, base...), tc.Rule...), &out, &errb)
			field := fmt.Sprintf("values[%d]: ", tc.Index)
			if code != exitError || !strings.Contains(errb.String(), field) || !strings.Contains(errb.String(), tc.Want) {
				t.Fatalf("warden grant %q: exit %d, stderr %q; want exit %d naming %q and %q", tc.Rule, code, errb.String(), exitError, field, tc.Want)
			}
			for _, r := range errb.String() {
				if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
					t.Fatalf("stderr carries %U raw: %q", r, errb.String())
				}
			}
		})
	}
	var out, errb bytes.Buffer
	if code := run([]string{"list", "--db", db.DSN, "--model", filepath.Join("..", "..", rulecases.Model)}, &out, &errb); code != exitOK || strings.Contains(out.String(), "viewer, /posts(") {
		t.Fatalf("list after refused grants: exit %d\n%s%s", code, out.String(), errb.String())
	}
}
