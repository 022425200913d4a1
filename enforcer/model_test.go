package enforcer_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// TestLoadModelBadInput: every bad model is refused with ErrInvalidModel and
// a message naming the file and line; the harmless variants load.
func TestLoadModelBadInput(t *testing.T) {
	good, err := os.ReadFile("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	replace := func(old, new string) []byte { return bytes.Replace(good, []byte(old), []byte(new), 1) }
	matcher := "m = g(r.sub, p.sub) && keyMatch2(r.obj, p.obj) && (p.act == \"*\" || r.act == p.act)"
	tests := []struct {
		name  string
		given []byte
		want  string // "" means it loads
	}{
		{"crlf line endings", bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), ""},
		{"byte order mark", append([]byte("\xef\xbb\xbf"), good...), ""},
		{"empty file", nil, ":1: missing r = ..."},
		{"binary garbage", []byte("\x00\x01\xff\xfe garbage \x07\n[x"), ":1: "},
		{"a 10 MB line", append(bytes.Repeat([]byte("a"), 10<<20), '\n'), ":1: "},
		{"unsupported effect", replace("e = some(where (p.eft == allow)) && !some(where (p.eft == deny))", "e = bogus(p.eft)"), ":29: e: effect"},
		{"undefined request field", replace(matcher, "m = g(r.sub, p.sub) && r.path == p.obj"), ":38: m: r.path is not defined"},
		// The linter reads the matcher as govaluate does and names its line.
		{"unbalanced parenthesis", replace(matcher, "m = g(r.sub, p.sub) && (r.obj == p.obj"), ":38: m: Casbin cannot read the matcher: unbalanced parenthesis"},
		// A backquote is no quote to govaluate, so none to Warden or lint.
		{"backquoted literal", replace(matcher, "m = g(r.sub, p.sub) && r.obj == `/posts`"), ":38: m: Casbin cannot read the matcher: invalid token \"`/\" (a backquote is no quote"},
		{"no matcher", replace(matcher, ""), ":37: missing m = ..."},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".conf")
			if err := os.WriteFile(path, tt.given, 0o600); err != nil {
				t.Fatal(err)
			}
			e, err := enforcer.NewFromFiles(context.Background(), path, "../conf/policy.csv")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("expected the model to load: %v", err)
				}
				if ok, _ := e.Enforce(context.Background(), "bob", "/posts", "POST"); !ok {
					t.Fatal("the model loaded but decides differently")
				}
				return
			}
			if !errors.Is(err, enforcer.ErrInvalidModel) {
				t.Fatalf("err = %v; want ErrInvalidModel", err)
			}
			if !strings.Contains(err.Error(), path+tt.want) {
				t.Fatalf("err = %q; want it to contain %q", err, path+tt.want)
			}
			if len(err.Error()) > 4096 || strings.ContainsRune(err.Error(), 0) {
				t.Fatalf("error message is not readable: %d bytes", len(err.Error()))
			}
		})
	}
}

// Every embedded model loads through LoadModel, eval() and all.
func TestLoadModelEmbedded(t *testing.T) {
	paths, err := filepath.Glob("../models/*.conf")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no models: %v", err)
	}
	for _, p := range paths {
		if _, err := enforcer.LoadModel(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}
