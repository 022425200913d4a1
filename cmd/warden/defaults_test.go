package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWorksFromAnyDirectory: outside the repository, enforce, test, lint
// and plan decide with the embedded default model and policy (saying so on
// stderr, not stdout), and --model takes an embedded model's name.
func TestWorksFromAnyDirectory(t *testing.T) {
	cases, err := filepath.Abs("testdata/cases.yaml")
	if err != nil {
		t.Fatal(err)
	}
	abacPolicy, err := filepath.Abs("../../models/testdata/abac.csv")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	tests := []struct {
		args   []string
		code   int
		stdout string // exact
		stderr string // substring
	}{
		{[]string{"enforce", "--explain", "bob", "/posts/42", "GET"}, 0,
			"allow\nrule: p, viewer, /posts/:id, GET, allow\nchain: bob -> editor -> viewer\n",
			"using the embedded default model"},
		{[]string{"enforce", "alice", "/audit/2026", "DELETE"}, 1, "deny\n", "using the embedded default policy"},
		{[]string{"enforce", "--model", "default", "carol", "/posts", "GET"}, 0, "allow\n", "using the embedded default policy"},
		{[]string{"test", cases}, 0, "5 cases, 5 passed, 0 failed\n", "using the embedded default model"},
		{[]string{"lint"}, 0, "ok\n", "using the embedded default model"},
		{[]string{"plan", "--dialect", "sqlite", "--column", "obj=path", "carol", "?", "GET"}, 0, "", "using the embedded default policy"},
		{[]string{"enforce", "--model", "abac", "--policy", abacPolicy, `{"Name": "bob", "Age": 30}`, `{"Owner": "alice", "Type": "doc"}`, "read"}, 0, "allow\n", ""},
		// The default policy goes with the default model only.
		{[]string{"enforce", "--model", "rbac", "alice", "/posts", "GET"}, 2, "", "--policy is required with --model rbac"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || (tt.stdout != "" && stdout.String() != tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) ||
			(tt.stderr == "" && stderr.Len() > 0) {
			t.Errorf("warden %q: exit %d\nstdout: %s\nstderr: %s\nwant exit %d, stdout %q, stderr ~%q",
				tt.args, code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
	}
	// A name that is also a file here is ambiguous: refused, never guessed.
	if err := os.WriteFile("rbac", []byte("[request_definition]\nr = sub, obj, act\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"enforce", "--model", "rbac", "--policy", abacPolicy, "a", "b", "c"}, &bytes.Buffer{}, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), "write ./rbac for the file") {
		t.Errorf("ambiguous --model rbac: exit %d, stderr %q", code, stderr.String())
	}
}

// TestRepositoryFilesWin: in the repository's root, conf/model.conf and
// conf/policy.csv are read from disk, so that edits to them take effect,
// and nothing is said about embedded copies.
func TestRepositoryFilesWin(t *testing.T) {
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"enforce", "bob", "/posts/42", "GET"}, &stdout, &stderr); code != 0 || stdout.String() != "allow\n" || stderr.Len() > 0 {
		t.Errorf("enforce in the repository root: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}
