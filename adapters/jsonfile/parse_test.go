package jsonfile_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/wardenhq/warden/adapters/jsonfile"
)

const good = `{
  "users": {"john": ["read:posts", "read:posts"]},
  "roles": {"editor": ["read:posts", "write:posts"], "banned": ["!*"]},
  "user_roles": {"john": ["editor"]}
}
`

func TestParse(t *testing.T) {
	p, err := jsonfile.Parse("policy.json", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := &jsonfile.Policy{
		Users:     map[string][]string{"john": {"read:posts"}},
		Roles:     map[string][]string{"editor": {"read:posts", "write:posts"}, "banned": {"!*"}},
		UserRoles: map[string][]string{"john": {"editor"}},
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("got %+v", p)
	}
	if p, err := jsonfile.Parse("e.json", []byte(`{}`)); err != nil || len(p.Users) != 0 {
		t.Fatalf("empty object: %v, %v", p, err)
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
		err  error
		want string
	}{
		{"syntax", "{\n  \"users\": {\n    \"john\": [\"a\" \"b\"]\n  }\n}", 3, jsonfile.ErrSyntax, ""},
		{"truncated", "{\n  \"users\": {\n", 2, jsonfile.ErrSyntax, "end of file"},
		{"not an object", "[1]", 1, jsonfile.ErrShape, "JSON object"},
		{"unknown section", "{\n\"admins\": {}\n}", 2, jsonfile.ErrShape, `unknown section "admins"`},
		{"list is a string", "{\"users\": {\n\"john\": \"read:posts\"\n}}", 2, jsonfile.ErrShape, "users.john must be a list"},
		{"number in list", "{\"roles\": {\"r\": [\n\"a:b\",\n7]}}", 3, jsonfile.ErrShape, "must hold strings"},
		{"bad permission", "{\"users\": {\"john\": [\n\n\"read posts\"]}}", 3, jsonfile.ErrValue, "users.john"},
		{"comma in a role name", "{\"user_roles\": {\"john\": [\"a,b\"]}}", 1, jsonfile.ErrValue, "comma"},
		{"space around a user", "{\"users\": {\" john\": []}}", 1, jsonfile.ErrValue, "leading or trailing"},
		{"duplicate user", "{\"users\": {\"john\": [],\n\"john\": []}}", 2, jsonfile.ErrShape, "twice"},
		{"duplicate section", "{\"users\": {},\n\n\"users\": {}}", 3, jsonfile.ErrShape, "twice"},
		{"trailing data", "{}\n{}", 2, jsonfile.ErrSyntax, "after"},
		{"null list", "{\"users\": {\"john\": null}}", 1, jsonfile.ErrShape, "null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jsonfile.Parse("policy.json", []byte(tt.data))
			var pe *jsonfile.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Line != tt.line || !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (line %d); want line %d, %v, containing %q", err, pe.Line, tt.line, tt.err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "policy.json:") {
				t.Fatalf("error does not start with the file name: %v", err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte(`{"users":{"a":["*"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := jsonfile.Parse("f.json", data)
		if err != nil {
			var pe *jsonfile.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *ParseError: %v", err)
			}
			return
		}
		if _, err := p.Rules(); err != nil {
			t.Fatalf("parsed policy does not convert to rules: %v", err)
		}
	})
}
