package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBinary builds the real binary and runs it the way a user would, on
// the default configuration, including a version set through -ldflags.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; run without -short")
	}
	bin := filepath.Join(t.TempDir(), "warden")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=v1.2.3-test", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tests := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{[]string{"enforce", "--model", confModel, "--policy", confPolicy, "--explain", "bob", "/posts/42", "GET"}, 0,
			"allow\nrule: p, viewer, /posts/:id, GET, allow\nchain: bob -> editor -> viewer\n"},
		{[]string{"enforce", "--model", confModel, "--policy", confPolicy, "alice", "/audit/2026", "DELETE"}, 1, "deny\n"},
		{[]string{"enforce", "--model", confModel, "--policy", "testdata/bad_policy.csv", "bob", "/posts", "GET"}, 2, ""},
	}
	for _, tt := range tests {
		out, err := exec.Command(bin, tt.args...).Output()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.wantCode || string(out) != tt.wantOut {
			t.Errorf("warden %v: exit %d, stdout %q; want exit %d, stdout %q", tt.args, code, out, tt.wantCode, tt.wantOut)
		}
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "warden v1.2.3-test"; len(out) < len(want) || string(out[:len(want)]) != want {
		t.Errorf("version output %q, want prefix %q", out, want)
	}
}
