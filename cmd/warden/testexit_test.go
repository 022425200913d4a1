package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTestExitCodes: a case file that cannot be understood is exit 2 with
// FILE:LINE and the field at fault, and so is a decision that fails; only
// a case that got the other decision is exit 1.
func TestTestExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, file, content string
		code                int
		stderr              string // substring, with FILE for the file's path
	}{
		{"too few request fields", "few.csv", "carol, /posts, GET, allow\nalice, /posts, allow\n", 2,
			"FILE:2: request: 2 values, the model's request has 3 (sub, obj, act)"},
		{"too many request fields", "many.yaml", "- request: [carol, /posts, GET, now]\n  expect: allow\n", 2,
			"FILE:1: request: 4 values, the model's request has 3 (sub, obj, act)"},
		{"a misspelt key", "typo.yaml", "- request: [carol, /posts, GET]\n  expct: deny\n", 2, "FILE:2: expct: unknown field"},
		{"no expect", "noexpect.yaml", "- request: [carol, /posts, GET]\n", 2, "FILE:1: expect: missing"},
		{"request not a list", "scalar.yaml", "- request: carol /posts GET\n  expect: allow\n", 2, "FILE:1: request: want a list"},
		{"a key given twice", "twice.yaml", "- request: [carol, /posts, GET]\n  expect: allow\n  expect: deny\n", 2, "FILE:3: expect: given twice"},
		{"a case that is not a mapping", "item.yaml", "- [carol, /posts, GET]\n", 2, "FILE:1: want a case"},
		{"bad JSON field", "json.csv", "carol, /posts, GET, allow\n\"{\"\"Name\"\": }\", /posts, GET, allow\n", 2, "FILE:2: field 1: invalid JSON object"},
		{"bad expectation", "expect.csv", "carol, /posts, GET, perhaps\n", 2, `FILE:1: expect: "perhaps" is neither allow nor deny`},
		{"a failing case", "fail.csv", "carol, /posts, GET, allow\ncarol, /posts, PUT, allow\n", 1, ""},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.file)
		if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := run([]string{"test", "--model", confModel, "--policy", confPolicy, path}, &stdout, &stderr)
		want := strings.ReplaceAll(tt.stderr, "FILE", path)
		if code != tt.code || !strings.Contains(stderr.String(), want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d, stderr ~%q\nstdout: %s", tt.name, code, stderr.String(), tt.code, want, stdout.String())
		}
	}
}

// TestTestDecisionErrorIsExit2: a case whose decision fails (here an ABAC
// matcher reading an attribute of a plain string) is reported with its
// line and makes the run exit 2, never 1 or 0.
func TestTestDecisionErrorIsExit2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "abac.csv")
	if err := os.WriteFile(path, []byte("\"{\"\"Name\"\": \"\"bob\"\", \"\"Age\"\": 30}\", \"{\"\"Owner\"\": \"\"alice\"\", \"\"Type\"\": \"\"doc\"\"}\", read, allow\nbob, doc, read, allow\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"test", "--model", "abac", "--policy", "../../models/testdata/abac.csv", path}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stdout.String(), "ERROR "+path+":2: bob doc read: ") ||
		!strings.HasSuffix(stdout.String(), "2 cases, 1 passed, 0 failed, 1 errors\n") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
	}
}
