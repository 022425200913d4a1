package server_test

import (
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
)

// attack is one hostile request and what the API must answer: the status,
// and for an error the field its body names.
type attack struct {
	name, method, target, body string
	status                     int
	field                      string
}

// runAttacks sends each attack, as root (an administrator), to a real
// server on SQLite.
func runAttacks(t *testing.T, attacks []attack) {
	e := newEnv(t, dbtest.SQLite)
	root := tok(t, "root", nil, nil)
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			res := e.do(a.method, a.target, root, a.body)
			if res.status != a.status {
				t.Fatalf("%s %s: status %d, want %d: %s", a.method, a.target, res.status, a.status, res.body)
			}
			if a.status >= 400 {
				if b := res.errorBody(t); b.Field != a.field {
					t.Errorf("field %q, want %q (message %q)", b.Field, a.field, b.Message)
				}
			}
		})
	}
}

const rule = `"ptype":"p","values":["mallory","/*","*","allow"]`
