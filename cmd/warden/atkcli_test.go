package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDefaultModelSpelledAsAPath: conf/model.conf written ./conf/model.conf
// or as an absolute path is the default model's file, which conf/policy.csv
// goes with: enforce reads conf/policy.csv beside it, as it did before the
// default policy was tied to the default model, and lint checks it.
// Before, enforce said "--policy is required with --model
// ./conf/model.conf (conf/policy.csv goes with the default model,
// conf/model.conf)", naming the very file it was given.
func TestDefaultModelSpelledAsAPath(t *testing.T) {
	dir := t.TempDir()
	copyConf(t, dir, "p, viewer, /x\n") // a line lint and enforce refuse
	t.Chdir(dir)
	for _, spec := range []string{"./conf/model.conf", filepath.Join(dir, "conf", "model.conf")} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"enforce", "--model", spec, "alice", "/posts", "GET"}, &stdout, &stderr)
		if code != exitError || strings.Contains(stderr.String(), "--policy is required") || !strings.Contains(stderr.String(), "conf/policy.csv:") {
			t.Errorf("enforce --model %s beside conf/policy.csv: exit %d, stderr %s; want conf/policy.csv read (and its bad line named)", spec, code, stderr.String())
		}
		stdout.Reset()
		stderr.Reset()
		code = run([]string{"lint", "--model", spec}, &stdout, &stderr)
		if code != exitError || !strings.Contains(stdout.String(), "conf/policy.csv:") {
			t.Errorf("lint --model %s beside a bad conf/policy.csv: exit %d\n%s%s", spec, code, stdout.String(), stderr.String())
		}
	}
}

// TestVerifyMissingModelFile: verify checks the files it is given; a
// --model path that does not exist is an error, even conf/model.conf, not
// a silent check of the embedded default model (findModel's fallback for
// the other commands). Before, verify --model conf/model.conf run where no
// such file is said "equal" about the binary's model and nothing on stderr.
func TestVerifyMissingModelFile(t *testing.T) {
	policy, err := filepath.Abs(confPolicy)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if _, err := os.Stat("conf/model.conf"); err == nil {
		t.Fatal("conf/model.conf in a new directory")
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"verify", "--model", "conf/model.conf", "--policy", policy, "--requests", "5"}, &stdout, &stderr)
	if code != exitError || !strings.Contains(stderr.String(), "conf/model.conf") {
		t.Errorf("verify --model conf/model.conf where it is not: exit %d\nstdout %s\nstderr %s", code, stdout.String(), stderr.String())
	}
	// The embedded default is still there by name.
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"verify", "--model", "default", "--policy", policy, "--requests", "5"}, &stdout, &stderr); code != exitOK {
		t.Errorf("verify --model default: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}

// TestFallbackRefusalNamesTheCause: the refusal of a stored policy under
// the fallback model fires as well when conf/model.conf was given by name
// (--model conf/model.conf, WARDEN_MODEL=conf/model.conf) where it is not;
// the message then must not say that no --model was given.
func TestFallbackRefusalNamesTheCause(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	dsn := "sqlite://" + filepath.Join(dir, "w.db")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"grant", "--db", dsn, "--model", "default", "p", "alice", "/x", "GET", "allow"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("grant --model default: exit %d\n%s", code, stderr.String())
	}
	check := func(what string, args ...string) {
		t.Helper()
		stdout.Reset()
		stderr.Reset()
		code := run(append([]string{"list", "--db", dsn}, args...), &stdout, &stderr)
		if code != exitError || strings.Contains(stderr.String(), "no --model was given") || !strings.Contains(stderr.String(), "conf/model.conf") {
			t.Errorf("list %s: exit %d, stderr %s; want 2, naming conf/model.conf, not \"no --model was given\"", what, code, stderr.String())
		}
	}
	check("--model conf/model.conf", "--model", "conf/model.conf")
	t.Setenv("WARDEN_MODEL", "conf/model.conf")
	check("with WARDEN_MODEL=conf/model.conf")
}

// TestReadOnlyCommandsCreateNoFileFromAURI: list, audit and audit verify
// refuse a SQLite file that does not exist (README) when the database is
// written as a file: URI too; before, SQLite created it and list said
// "no policy is stored there yet".
func TestReadOnlyCommandsCreateNoFileFromAURI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	for _, dsn := range []string{"file:" + path, "file:" + path + "?cache=shared", "file://" + path} {
		for _, args := range [][]string{{"list"}, {"audit"}, {"audit", "verify"}} {
			var stderr bytes.Buffer
			code := run(append(args, "--db", dsn), &bytes.Buffer{}, &stderr)
			if code != exitError || !strings.Contains(stderr.String(), "no SQLite database at "+path) {
				t.Errorf("warden %v --db %s on a missing file: exit %d, stderr %q", args, dsn, code, stderr.String())
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("warden %v --db %s created %s", args, dsn, path)
			}
		}
	}
	// An in-memory URI is no file: nothing to refuse.
	var stderr bytes.Buffer
	if code := run([]string{"list", "--scope", "admin", "--db", "file::memory:?cache=shared"}, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Errorf("list --db file::memory:: exit %d, %s", code, stderr.String())
	}
}
