package models_test

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	fileadapter "github.com/casbin/casbin/v2/persist/file-adapter"

	"github.com/wardenhq/warden/models"
)

// testCase is one line of testdata/<name>_cases.csv: request fields, then
// the expected decision.
type testCase struct {
	line   int
	fields []string
	want   bool
}

// readCases parses a cases file. A field that is a JSON object stands for
// an attribute set (ABAC) and is decoded by requestValues.
func readCases(t *testing.T, path string) []testCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	var cases []testCase
	for {
		rec, err := r.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("%s: %v", path, err)
		}
		line, _ := r.FieldPos(0)
		last := strings.TrimSpace(rec[len(rec)-1])
		if last != "allow" && last != "deny" {
			t.Fatalf("%s:%d: last field %q, want allow or deny", path, line, last)
		}
		cases = append(cases, testCase{line: line, fields: rec[:len(rec)-1], want: last == "allow"})
	}
	if len(cases) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	return cases
}

func requestValues(t *testing.T, fields []string) []any {
	t.Helper()
	vals := make([]any, len(fields))
	for i, f := range fields {
		f = strings.TrimSpace(f)
		if strings.HasPrefix(f, "{") {
			var m map[string]any
			if err := json.Unmarshal([]byte(f), &m); err != nil {
				t.Fatalf("field %d: %v", i, err)
			}
			vals[i] = m
			continue
		}
		vals[i] = f
	}
	return vals
}

func TestModelsDecideFixtures(t *testing.T) {
	for _, name := range models.Names() {
		t.Run(name, func(t *testing.T) {
			m, err := models.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			e, err := casbin.NewEnforcer(m, fileadapter.NewAdapter(filepath.Join("testdata", name+".csv")))
			if err != nil {
				t.Fatal(err)
			}
			cases := readCases(t, filepath.Join("testdata", name+"_cases.csv"))
			var allows, denies int
			for _, c := range cases {
				got, err := e.Enforce(requestValues(t, c.fields)...)
				if err != nil {
					t.Errorf("line %d %v: %v", c.line, c.fields, err)
					continue
				}
				if got != c.want {
					t.Errorf("line %d %v: allowed=%v, want %v", c.line, c.fields, got, c.want)
				}
				if c.want {
					allows++
				} else {
					denies++
				}
			}
			// A fixture that only ever allows (or only denies) proves nothing about the matcher.
			if allows == 0 || denies == 0 {
				t.Errorf("cases need both outcomes: %d allow, %d deny", allows, denies)
			}
		})
	}
}

func TestNamesListsEveryModel(t *testing.T) {
	want := []string{models.ABAC, models.Permissions, models.RBAC, models.RBACDeny, models.RBACDomains, models.RESTful}
	slices.Sort(want)
	if got := models.Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
}

func TestEveryModelHasFixtures(t *testing.T) {
	for _, name := range models.Names() {
		for _, f := range []string{name + ".csv", name + "_cases.csv"} {
			if _, err := os.Stat(filepath.Join("testdata", f)); err != nil {
				t.Errorf("model %s: %v", name, err)
			}
		}
	}
}

func TestTextHasCommentHeader(t *testing.T) {
	for _, name := range models.Names() {
		text, err := models.Text(name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(text, "# "+name+": ") {
			t.Errorf("%s: text does not start with a %q header comment", name, "# "+name+": ")
		}
	}
}

func TestUnknownModel(t *testing.T) {
	for _, name := range []string{"", "nope", "rbac.conf", "../models", "/rbac", `rbac\x`} {
		if _, err := models.Text(name); !errors.Is(err, models.ErrUnknownModel) {
			t.Errorf("Text(%q) error = %v, want ErrUnknownModel", name, err)
		}
		if m, err := models.Load(name); !errors.Is(err, models.ErrUnknownModel) || m != nil {
			t.Errorf("Load(%q) = %v, %v, want nil, ErrUnknownModel", name, m, err)
		}
	}
}

func TestLoadReturnsIndependentModels(t *testing.T) {
	a, err := models.Load(models.RBAC)
	if err != nil {
		t.Fatal(err)
	}
	b, err := models.Load(models.RBAC)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AddPolicy("p", "p", []string{"alice", "/x", "read"}); err != nil {
		t.Fatal(err)
	}
	if got := len(b["p"]["p"].Policy); got != 0 {
		t.Fatalf("second model shares policy with the first: %d rules", got)
	}
}

func TestPermissionsModelShape(t *testing.T) {
	// The permission codec (package permission) relies on this exact shape.
	m, err := models.Load(models.Permissions)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ sec, key, want string }{
		{"r", "r", "sub, perm"},
		{"p", "p", "sub, perm, eft"},
		{"g", "g", "_, _"},
		{"e", "e", "some(where (p_eft == allow)) && !some(where (p_eft == deny))"},
		{"m", "m", "g(r_sub, p_sub) && keyMatch(r_perm, p_perm)"},
	}
	for _, c := range checks {
		if got := m[c.sec][c.key].Value; got != c.want {
			t.Errorf("%s = %q, want %q", c.sec, got, c.want)
		}
	}
}
