package adapters_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

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
		tok     *adapters.Token
		want    []string
		wantErr error
	}{
		{"teams become groups", mapDirectory{"alice": {"a", "b"}}, &adapters.Token{Identity: "alice"}, []string{"team:a", "team:b"}, nil},
		{"duplicates removed", mapDirectory{"alice": {"a", "a"}}, &adapters.Token{Identity: "alice"}, []string{"team:a"}, nil},
		{"no teams is an empty list", mapDirectory{}, &adapters.Token{Identity: "bob"}, []string{}, nil},
		{"identity matched exactly", mapDirectory{"alice": {"a"}}, &adapters.Token{Identity: "Alice"}, []string{}, nil},
		{"SQL metacharacters are just text", mapDirectory{"alice": {"a"}}, &adapters.Token{Identity: "' OR 1=1 --"}, []string{}, nil},
		{"no identity is an error", mapDirectory{}, &adapters.Token{Raw: "x.y.z"}, nil, adapters.ErrNoIdentity},
		{"directory down is an error, not an empty list", failingDirectory{down}, &adapters.Token{Identity: "alice"}, nil, down},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TeamGroups{Dir: tt.dir}.Groups(context.Background(), tt.tok)
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

// TestDocsInSync checks that every code block of docs/providers.md marked
// with a region name is the same text as that region of this package's
// example files, so the documented code is the code that compiles and runs.
func TestDocsInSync(t *testing.T) {
	doc, err := os.ReadFile("../docs/providers.md")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, f := range []string{"example_test.go", "example_provider_test.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	for _, name := range []string{"custom-provider", "compose", "test-provider"} {
		code, ok := region(src.String(), name)
		if !ok {
			t.Fatalf("region %q not found in the example files", name)
		}
		block, ok := docBlock(string(doc), name)
		if !ok {
			t.Fatalf("docs/providers.md has no block for region %q", name)
		}
		if strings.TrimSpace(dedent(code)) != strings.TrimSpace(block) {
			t.Errorf("docs/providers.md block %q differs from the code:\n--- doc\n%s\n--- code\n%s", name, block, dedent(code))
		}
	}
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
