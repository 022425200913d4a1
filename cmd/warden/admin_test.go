package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/server"
)

// TestAdminCommands runs grant, list and revoke against every database and
// checks the audit rows they leave.
func TestAdminCommands(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			base := []string{"--db", db.DSN, "--model", confModel, "--channel", dbtest.Unique()}
			cli := func(args ...string) (int, string, string) {
				t.Helper()
				var out, errb bytes.Buffer
				code := run(append(args[:1:1], append(append([]string{}, base...), args[1:]...)...), &out, &errb)
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
				{[]string{"grant", "--scope", "admin", "g", "yan", server.AdminRole}, 0, "granted: g, yan, warden-admin", ""},
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
				`grant policy [] -> []`, // the refused g with one value
				`grant policy [] -> []`, // the refused g with three values
				`grant policy [] -> []`, // the refused p9
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if entries[len(entries)-1].Error == "" {
				t.Error("the refused grant's entry has no error")
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
