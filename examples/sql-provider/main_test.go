package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
)

const want = `# policy loaded from the tables
alice posts:write   allow
alice posts:delete  deny
bob   posts:read    allow
bob   posts:write   deny
carol posts:read    deny
# carol joins viewers through the enforcer; the row is written to authz_groups
carol posts:read    allow
authz_groups for carol: viewers
# per-caller lookups, cached by identity
groups of "alice": [editors]
groups of "bob": [viewers]
groups of "Alice": []
`

func TestRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	// Twice on the same database: the seed is idempotent and the demo
	// cleans up what it adds.
	for i := range 2 {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"-db", db}, &out); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Fatalf("run %d output:\n%s\nwant:\n%s", i+1, out.String(), want)
		}
	}
}
