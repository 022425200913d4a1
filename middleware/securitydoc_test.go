package middleware_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityDocNamesRealTests: every test docs/security.md names in the
// sections of this package's edges (tokens and identities, paths) is a
// test function of the module, so the page cannot cite a test that was
// renamed or never written.
func TestSecurityDocNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	start := strings.Index(text, "## Tokens and identities")
	end := strings.Index(text, "## Request bodies")
	if start < 0 || end < start {
		t.Fatal("docs/security.md lacks the sections")
	}
	names := regexp.MustCompile(`\b(?:Test|Fuzz)[A-Z]\w*`).FindAllString(text[start:end], -1)
	if len(names) == 0 {
		t.Fatal("the sections name no test")
	}
	var src strings.Builder
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			src.Write(b)
			return err
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !strings.Contains(src.String(), "func "+n+"(") {
			t.Errorf("docs/security.md names %s, which is no test function", n)
		}
	}
}
