package adapters_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
)

// docs:begin test-provider

// failingDirectory fails every lookup, like a directory that is down.
type failingDirectory struct{ err error }

func (d failingDirectory) TeamsOf(context.Context, string) ([]string, error) { return nil, d.err }

func TestTeamGroups(t *testing.T) {
	down := errors.New("connection refused")
	tests := []struct {
		name    string
		dir     Directory
		tok     *warden.Token
		want    []string
		wantErr error
	}{
		{"teams become groups", mapDirectory{"alice": {"a", "b"}}, &warden.Token{Identity: "alice"}, []string{"team:a", "team:b"}, nil},
		{"duplicates removed", mapDirectory{"alice": {"a", "a"}}, &warden.Token{Identity: "alice"}, []string{"team:a"}, nil},
		{"no teams is an empty list", mapDirectory{}, &warden.Token{Identity: "bob"}, []string{}, nil},
		{"identity matched exactly", mapDirectory{"alice": {"a"}}, &warden.Token{Identity: "Alice"}, []string{}, nil},
		{"SQL metacharacters are just text", mapDirectory{"alice": {"a"}}, &warden.Token{Identity: "' OR 1=1 --"}, []string{}, nil},
		{"no identity is an error", mapDirectory{}, &warden.Token{Raw: "x.y.z"}, nil, adapters.ErrNoIdentity},
		{"directory down is an error, not an empty list", failingDirectory{down}, &warden.Token{Identity: "alice"}, nil, down},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TeamGroups{Dir: tt.dir}.Fetch(context.Background(), tt.tok)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("got %v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

// docs:end test-provider

// docSources are the files whose "// docs:begin NAME" regions the code
// blocks of docs/providers.md are: every one of them is compiled, and most
// run as examples or tests.
var docSources = []string{
	"example_test.go",
	"example_provider_test.go",
	"claims/example_test.go",
	"sqlstore/example_test.go",
	"filewatch/example_test.go",
}

// TestDocsInSync checks that every Go code block of docs/providers.md is
// marked with a region name and is the same text as that region of the
// example files, so the documented code is the code that compiles and runs.
// The block marked "interfaces" is checked against the root package's
// provider.go instead.
func TestDocsInSync(t *testing.T) {
	b, err := os.ReadFile("../docs/providers.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var src strings.Builder
	for _, f := range docSources {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	names := docBlockNames(doc)
	if blocks := strings.Count(doc, "```go\n"); blocks != len(names) {
		t.Fatalf("docs/providers.md has %d Go blocks but %d marked with <!-- code: NAME -->; mark every one", blocks, len(names))
	}
	want := []string{"interfaces", "custom-provider", "compose", "claims", "sql", "filewatch", "test-provider"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("docs/providers.md blocks = %q, want %q", names, want)
	}
	for _, name := range names {
		block, ok := docBlock(doc, name)
		if !ok {
			t.Fatalf("docs/providers.md has no Go block after the marker %q", name)
		}
		var code string
		if name == "interfaces" {
			code = providerInterfaces(t)
		} else if code, ok = region(src.String(), name); !ok {
			t.Fatalf("region %q not found in %q", name, docSources)
		}
		if strings.TrimSpace(dedent(code)) != strings.TrimSpace(block) {
			t.Errorf("docs/providers.md block %q differs from the code:\n--- doc\n%s\n--- code\n%s", name, block, dedent(code))
		}
	}
}

// docBlockNames returns the names of the "<!-- code: NAME -->" markers, in
// order.
func docBlockNames(doc string) []string {
	var names []string
	for _, part := range strings.Split(doc, "<!-- code: ")[1:] {
		name, _, _ := strings.Cut(part, " -->")
		names = append(names, name)
	}
	return names
}

// providerInterfaces returns the type declarations of the root package's
// provider.go (Provider, its two names, ProviderFunc) without their
// comments.
func providerInterfaces(t *testing.T) string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "../provider.go", nil, 0) // no comments
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			ts := s.(*ast.TypeSpec)
			out.WriteString("type ")
			if err := printer.Fprint(&out, fset, ts); err != nil {
				t.Fatal(err)
			}
			out.WriteString("\n")
		}
	}
	return out.String()
}

// region returns the text between "// docs:begin name" and "// docs:end name".
func region(src, name string) (string, bool) {
	_, after, ok := strings.Cut(src, "// docs:begin "+name+"\n")
	if !ok {
		return "", false
	}
	body, _, ok := strings.Cut(after, "// docs:end "+name)
	return strings.TrimRight(body, " \t\n"), ok
}

// docBlock returns the go code block that follows "<!-- code: name -->".
func docBlock(doc, name string) (string, bool) {
	_, after, ok := strings.Cut(doc, "<!-- code: "+name+" -->")
	if !ok {
		return "", false
	}
	_, after, ok = strings.Cut(after, "```go\n")
	if !ok {
		return "", false
	}
	body, _, ok := strings.Cut(after, "```")
	return body, ok
}

// dedent removes the indentation common to all non-empty lines.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	prefix := ""
	first := true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ind := l[:len(l)-len(strings.TrimLeft(l, "\t"))]
		if first || len(ind) < len(prefix) {
			prefix, first = ind, false
		}
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, prefix)
	}
	return strings.Join(lines, "\n")
}
