package enforcer_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/csvpolicy"
	"github.com/wardenhq/warden/models"
)

// readCases reads models/testdata/<name>_cases.csv: request fields, then
// allow or deny. A field holding a JSON object is an attribute map (ABAC).
func readCases(t *testing.T, path string) (reqs [][]any, want []bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment, r.TrimLeadingSpace, r.FieldsPerRecord = '#', true, -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		var vals []any
		for _, v := range rec[:len(rec)-1] {
			v = strings.TrimSpace(v)
			if strings.HasPrefix(v, "{") {
				var m map[string]any
				if err := json.Unmarshal([]byte(v), &m); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				vals = append(vals, m)
				continue
			}
			vals = append(vals, v)
		}
		reqs = append(reqs, vals)
		want = append(want, strings.TrimSpace(rec[len(rec)-1]) == "allow")
	}
	return reqs, want
}

// TestDifferentialModels runs every embedded model on its fixture policy:
// each listed case must give the expected answer, and every combination of
// the request values seen in the cases must give Casbin's answer and rule.
func TestDifferentialModels(t *testing.T) {
	for _, name := range models.Names() {
		t.Run(name, func(t *testing.T) {
			policy := filepath.Join("..", "models", "testdata", name+".csv")
			m, err := models.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			w, err := enforcer.New(context.Background(), m, csvpolicy.New(policy))
			if err != nil {
				t.Fatal(err)
			}
			m2, _ := models.Load(name)
			c, err := casbin.NewEnforcer(m2, csvpolicy.New(policy))
			if err != nil {
				t.Fatal(err)
			}
			fast, reason := w.FastPath()
			t.Logf("fast path: %v %s", fast, reason)
			reqs, want := readCases(t, filepath.Join("..", "models", "testdata", name+"_cases.csv"))
			if len(reqs) == 0 {
				t.Fatal("no cases")
			}
			for i, req := range reqs {
				ok, err := w.Enforce(context.Background(), req...)
				if err != nil || ok != want[i] {
					t.Errorf("case %v: got %v, %v; want %v", req, ok, err, want[i])
				}
				compare(t, w, c, enforcer.Request{Values: req})
			}
			// Every combination of values seen at each position.
			seen := make([][]any, len(reqs[0]))
			for _, req := range reqs {
				for i, v := range req {
					if i < len(seen) {
						seen[i] = append(seen[i], v)
					}
				}
			}
			var walk func(prefix []any)
			walk = func(prefix []any) {
				if len(prefix) == len(seen) {
					compare(t, w, c, enforcer.Request{Values: append([]any(nil), prefix...)})
					return
				}
				for _, v := range seen[len(prefix)] {
					walk(append(prefix, v))
				}
			}
			walk(nil)
		})
	}
}
