package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestPlanCommand(t *testing.T) {
	m, p := confModel, confPolicy
	cases := []struct {
		name     string
		args     []string
		wantCode int
		stdout   string // substring
		stderr   string // substring; "" means empty
	}{
		{"text", []string{"--model", m, "--policy", p, "--dialect", "sqlite", "--column", "obj=path", "carol", "?", "GET"}, 0,
			"kind: conditional\nsql: `path` IS NOT NULL AND ", ""},
		{"no rule", []string{"--model", m, "--policy", p, "--dialect", "mysql", "--column", "obj=path", "mallory", "?", "GET"}, 0,
			"kind: always_denied\nsql: 1 = 0\nargs: []\n", ""},
		{"missing column", []string{"--model", m, "--policy", p, "--dialect", "postgres", "carol", "?", "GET"}, 2, "", "no column for field obj"},
		{"unknown dialect", []string{"--model", m, "--policy", p, "--dialect", "oracle", "--column", "obj=path", "carol", "?", "GET"}, 2, "", "unknown dialect"},
		{"no open field", []string{"--model", m, "--policy", p, "--dialect", "sqlite", "--column", "obj=path", "carol", "/posts", "GET"}, 2, "", "exactly one ARG must be ?"},
		{"bad column flag", []string{"--model", m, "--policy", p, "--dialect", "sqlite", "--column", "obj", "carol", "?", "GET"}, 2, "", "FIELD=COLUMN"},
		{"unsupported", []string{"--model", "../../models/abac.conf", "--policy", "../../models/testdata/abac.csv", "--dialect", "sqlite",
			"--column", "obj=path", `{"Name": "bob"}`, "?", "read"}, 2, "", "unsupported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append([]string{"plan"}, c.args...), &out, &errb)
			if code != c.wantCode || !strings.Contains(out.String(), c.stdout) ||
				(c.stderr == "" && errb.Len() > 0) || !strings.Contains(errb.String(), c.stderr) {
				t.Fatalf("code %d\nstdout %q\nstderr %q", code, out.String(), errb.String())
			}
		})
	}
}

// TestPlanCommandJSON: with --json stdout is exactly one object of kind,
// sql and args, placeholders $n on PostgreSQL.
func TestPlanCommandJSON(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"plan", "--model", confModel, "--policy", confPolicy, "--dialect", "postgres",
		"--column", "obj=path", "--json", "bob", "?", "GET"}, &out, &errb)
	if code != 0 || errb.Len() > 0 {
		t.Fatalf("code %d, stderr %q", code, errb.String())
	}
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	var got struct {
		Kind string `json:"kind"`
		SQL  string `json:"sql"`
		Args []any  `json:"args"`
	}
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if dec.More() {
		t.Fatal("more than one JSON value on stdout")
	}
	if got.Kind != "conditional" || !strings.Contains(got.SQL, "$1") || len(got.Args) == 0 {
		t.Fatalf("got %+v", got)
	}
	if n := got.Args[len(got.Args)-1]; n != float64(4096) {
		t.Fatalf("last argument %v, want the length bound 4096", n)
	}
}
