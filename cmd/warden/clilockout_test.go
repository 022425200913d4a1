package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/policyadmin"
)

// TestCLIRefusesLockoutThroughRoles: warden serve refuses as a token's
// subject every role of the served and the admin policy, so the command
// line must not take warden:admin from the last user that way either:
//   - `warden grant g mallory root` in the served policy makes root, the
//     only administrator, a role there;
//   - `warden revoke --scope admin g root warden-admin` leaves only "admin",
//     a role of the served policy;
//   - `warden grant --scope admin g warden-admin root` makes root a role
//     of the admin policy.
//
// Each is refused, names the lockout and changes nothing. On every
// database: the guard reads the other policy inside the change's
// transaction.
func TestCLIRefusesLockoutThroughRoles(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			cli := func(args ...string) (int, string, string) {
				t.Helper()
				flags := []string{args[0], "--db", db.DSN, "--model", confModel}
				if args[0] != "list" { // only a change is announced
					flags = append(flags, "--channel", dbtest.Unique())
				}
				var out, errb bytes.Buffer
				code := run(append(flags, args[1:]...), &out, &errb)
				return code, out.String(), errb.String()
			}
			must := func(args ...string) {
				t.Helper()
				if code, _, errOut := cli(args...); code != exitOK {
					t.Fatalf("%q: exit %d: %s", args, code, errOut)
				}
			}
			refused := func(args ...string) {
				t.Helper()
				code, out, errOut := cli(args...)
				if code != exitError || !strings.Contains(errOut, "would leave no identity of the admin policy with warden:admin") {
					t.Errorf("%q: exit %d, stdout %q, stderr %q; want the lockout refused", args, code, out, errOut)
				}
			}
			must("grant", "--scope", "admin", "p", policyadmin.AdminRole, "warden:*", "allow")
			must("grant", "--scope", "admin", "g", "root", policyadmin.AdminRole)
			must("grant", "g", "bob", "editor")

			refused("grant", "g", "mallory", "root")
			refused("grant", "--scope", "admin", "g", policyadmin.AdminRole, "root")

			// "admin" is made a role of the served policy, then an admin.
			must("grant", "g", "carol", "admin")
			must("grant", "--scope", "admin", "g", "admin", policyadmin.AdminRole)
			refused("revoke", "--scope", "admin", "g", "root", policyadmin.AdminRole)

			_, out, _ := cli("list", "--scope", "admin")
			if !strings.Contains(out, "g, root, warden-admin\n") || strings.Contains(out, "g, warden-admin, root") {
				t.Errorf("admin policy after the refusals:\n%s", out)
			}
			if _, out, _ := cli("list", "--ptype", "g"); strings.Contains(out, "mallory") {
				t.Errorf("served policy holds the refused grant:\n%s", out)
			}
			// A second user makes each change a plain one.
			must("grant", "--scope", "admin", "g", "dana", policyadmin.AdminRole)
			must("grant", "g", "mallory", "root")
		})
	}
}
