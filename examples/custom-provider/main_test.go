package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	want := `# the first call fails and is retried; then cached
alice posts:write  allow (groups editors)
alice posts:read   allow (groups editors)
bob   posts:read   deny (groups )
carol posts:read   deny (groups unavailable: status 404)
directory calls: 4
# the directory goes down: fetches fail and deny, then the breaker opens and fails fast
alice posts:read   deny (groups unavailable: status 503)
alice posts:read   deny (groups unavailable: status 503)
breaker directory: closed -> open
alice posts:read   deny (groups unavailable: status 503)
alice posts:read   deny (groups unavailable: circuit open)
directory calls while open: 0
`
	if got := out.String(); got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(out.String(), "directory unavailable") {
		t.Fatal("service error text leaked into the output")
	}
}
