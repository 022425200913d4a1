package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
)

// TestAuditVerify: warden audit verify prints ok with the chain head (exit
// 0) for the log that grant and revoke wrote, names the altered entry
// (exit 1) once a row is rewritten behind Warden's back, and on a database
// without an audit log fails (exit 2) without creating one.
func TestAuditVerify(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			cli := func(args ...string) (int, string, string) {
				t.Helper()
				var out, errb bytes.Buffer
				code := run(args, &out, &errb)
				return code, out.String(), errb.String()
			}
			if code, out, errOut := cli("audit", "verify", "--db", db.DSN); code != exitError || out != "" || errOut == "" {
				t.Errorf("verify of an empty database: exit %d, %q, %q; want exit 2", code, out, errOut)
			}
			if db.Migrator().HasTable("audit_log") || db.Migrator().HasTable("audit_log_chain") {
				t.Fatal("verify created the audit tables")
			}
			for _, args := range [][]string{{"grant", "g", "yan", "viewer"}, {"revoke", "g", "yan", "viewer"}} {
				if code, out, errOut := cli(append([]string{args[0], "--db", db.DSN, "--model", confModel, "--channel", dbtest.Unique()}, args[1:]...)...); code != exitOK {
					t.Fatalf("%v: exit %d %s %s", args, code, out, errOut)
				}
			}
			code, out, errOut := cli("audit", "verify", "--db", db.DSN)
			if code != exitOK || !regexp.MustCompile(`^ok audit_log: 2 entries, head seq 2 hash [0-9a-f]{64}\n$`).MatchString(out) {
				t.Fatalf("verify: exit %d, stdout %q, stderr %q", code, out, errOut)
			}

			// The table's owner drops the triggers and rewrites entry 1.
			var drop []string
			switch b.Name {
			case "postgres":
				drop = []string{"DROP TRIGGER audit_log_no_change ON audit_log"}
				t.Cleanup(func() { db.Exec("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE") })
			default:
				drop = []string{"DROP TRIGGER audit_log_no_update"}
			}
			for _, s := range append(drop, "UPDATE audit_log SET actor = 'someone else' WHERE seq = 1") {
				if err := db.Exec(s).Error; err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			code, out, _ = cli("audit", "verify", "--db", db.DSN)
			want := fmt.Sprintf("FAIL audit_log: audit: entry seq 1 (id %d) altered: its content does not match its hash\n", 1)
			if code != exitFail || out != want {
				t.Errorf("verify after tampering: exit %d, stdout %q; want exit 1, %q", code, out, want)
			}
			if strings.Contains(out, db.DSN) {
				t.Error("the output names the DSN")
			}
		})
	}
}
