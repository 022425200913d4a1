package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocumentedFlagsExist: every --flag named in the README, the
// operations guide, the API page, the server's package doc and serve's and
// the admin commands' doc comments is a flag of some warden command (a
// flag that does not exist, such as a --channel_admin, sends operators
// after nothing).
func TestDocumentedFlagsExist(t *testing.T) {
	var help strings.Builder
	for _, c := range commands {
		cmd := c.name
		run([]string{cmd, "-h"}, &help, &help)
	}
	run([]string{"audit", "verify", "-h"}, &help, &help)
	flagRe := regexp.MustCompile(`(?m)^\s+--([a-z][a-z0-9_-]*)`)
	known := map[string]bool{}
	for _, m := range flagRe.FindAllStringSubmatch(help.String(), -1) {
		known[m[1]] = true
	}
	if !known["db"] || !known["audience"] || !known["scope"] {
		t.Fatalf("help text not understood: %v", known)
	}
	used := regexp.MustCompile(`(?:^|[\s\x60(\[])--([a-z][a-z0-9_-]*)`)
	known["help"] = true // -h and --help, which every command answers
	for _, path := range []string{"../../README.md", "../../docs/operations.md", "../../docs/api.md", "../../server/doc.go", "serve.go", "admin.go"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if !known[m[1]] {
				t.Errorf("%s names --%s, which no warden command has", path, m[1])
			}
		}
	}
}
