package adapters_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var mdRef = regexp.MustCompile(`[A-Za-z0-9_./-]+\.md\b`)

// TestDocReferencesExist checks that every Markdown file named in the
// adapters' code, tests (skip messages) and docs/providers.md exists, so no
// message sends a reader to a file that is not there.
func TestDocReferencesExist(t *testing.T) {
	files := []string{"../docs/providers.md"}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range mdRef.FindAllString(string(b), -1) {
			checked++
			// A name is relative to the repository root, or to the
			// referring file's directory.
			if exists(filepath.Join("..", ref)) || exists(filepath.Join(filepath.Dir(f), ref)) {
				continue
			}
			t.Errorf("%s refers to %s, which does not exist", f, ref)
		}
	}
	if checked == 0 {
		t.Fatal("no Markdown references found; the scan is broken")
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
