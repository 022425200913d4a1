package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/config/dbtest"
)

const want = `# A grants alice; B follows the log on A's announcement
A: alice reads /docs/1: true
B: alice reads /docs/1: true
# anyone who can connect forges an announcement that carries a rule
B: mallory reads /docs/1: false
B: bob reads /docs/1: true
# B revokes alice; A follows
B: alice reads /docs/1: false
A: alice reads /docs/1: false
`

// TestRun runs the two instances on a real PostgreSQL, twice on the same
// tables. The poll interval is an hour: B and A can only have followed
// each other's changes through the announcements, and the forged one
// changed nothing.
func TestRun(t *testing.T) {
	db := dbtest.Postgres(t)
	channel := dbtest.Unique()
	for i := range 2 {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"-db", db.DSN, "-channel", channel, "-poll", time.Hour.String()}, &out); err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, out.String())
		}
		if out.String() != want {
			t.Fatalf("run %d output:\n%s\nwant:\n%s", i, out.String(), want)
		}
	}
}
