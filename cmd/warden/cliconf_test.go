package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
)

// copyConf writes conf/model.conf and conf/policy.csv into dir, the
// policy followed by extra lines.
func copyConf(t *testing.T, dir, extra string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	for src, add := range map[string]string{confModel: "", confPolicy: extra} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "conf", filepath.Base(src)), append(b, add...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLintChecksTheDefaultPolicy: without --policy, lint checks the policy
// enforce would decide with: conf/policy.csv beside conf/model.conf, or the
// embedded copies where they are not; with another model the model alone.
// Before, lint without --policy checked no policy at all and said ok over
// a policy.csv enforce refused.
func TestLintChecksTheDefaultPolicy(t *testing.T) {
	lint := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"lint"}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	good, err := filepath.Abs(confPolicy)
	if err != nil {
		t.Fatal(err)
	}
	bad := t.TempDir()
	copyConf(t, bad, "p, viewer, /x\ng, viewer, editor\n")
	t.Chdir(bad)
	n := strings.Count(readFile(t, filepath.Join(bad, "conf", "policy.csv")), "\n") // the bad lines are the last two
	code, stdout, stderr := lint()
	if code != exitError || !strings.Contains(stdout, "conf/policy.csv:"+strconv.Itoa(n-1)+": wrong number of fields") ||
		!strings.Contains(stdout, "conf/policy.csv:"+strconv.Itoa(n)+": role cycle") {
		t.Errorf("lint beside a bad conf/policy.csv: exit %d\n%s%s", code, stdout, stderr)
	}
	// An explicit --policy is checked as given; another model is checked alone.
	if code, stdout, stderr := lint("--policy", good); code != exitOK || stdout != "ok\n" {
		t.Errorf("lint --policy %s: exit %d\n%s%s", good, code, stdout, stderr)
	}
	if code, stdout, stderr := lint("--model", "rbac"); code != exitOK || stdout != "ok\n" {
		t.Errorf("lint --model rbac beside the default policy: exit %d\n%s%s", code, stdout, stderr)
	}

	t.Chdir(t.TempDir()) // neither file here: the embedded copies
	code, stdout, stderr = lint()
	if code != exitOK || stdout != "ok\n" || !strings.Contains(stderr, "checking the embedded default policy") {
		t.Errorf("lint with no conf/: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestDefaultPolicyGoesWithTheDefaultModel: conf/policy.csv is written for
// the default model; enforce (test, plan) with another --model and no
// --policy says --policy is required, whether or not the file is in the
// working directory. Before, beside the file, it read it under the other
// model and failed on its first line that did not fit. An explicit
// --policy conf/policy.csv is read as given.
func TestDefaultPolicyGoesWithTheDefaultModel(t *testing.T) {
	dir := t.TempDir()
	copyConf(t, dir, "")
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := run([]string{"enforce", "--model", "rbac", "alice", "data1", "read"}, &stdout, &stderr)
	if code != exitError || !strings.Contains(stderr.String(), "--policy is required with --model rbac") {
		t.Errorf("enforce --model rbac beside conf/policy.csv: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if err := os.WriteFile(filepath.Join(dir, "conf", "policy.csv"), []byte("p, alice, data1, read\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	code = run([]string{"enforce", "--model", "rbac", "--policy", "conf/policy.csv", "alice", "data1", "read"}, &stdout, &stderr)
	if code != exitOK || !strings.Contains(stdout.String(), "allow") {
		t.Errorf("enforce --model rbac --policy conf/policy.csv: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}

// TestAdminRefusesFallbackModelOnStoredPolicy: grant, revoke and list
// without --model, where conf/model.conf is not, refuse a database that
// holds a policy, as serve does: the rules were written under a model the
// database does not record. Before, grant checked a rule against the
// embedded default model and wrote it, and the server could then not load
// the table.
func TestAdminRefusesFallbackModelOnStoredPolicy(t *testing.T) {
	t.Chdir(t.TempDir()) // no conf/model.conf here
	t.Setenv("WARDEN_MODEL", "")
	t.Setenv("WARDEN_DB", "")
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			cli := func(args ...string) (int, string) {
				var stdout, stderr bytes.Buffer
				code := run(args, &stdout, &stderr)
				return code, stdout.String() + stderr.String()
			}
			// An empty database is a first write: the fallback model is
			// the one its rules are written under, and grant says so.
			empty := b.Open(t)
			if code, out := cli("grant", "--db", empty.DSN, "p", "alice", "data1", "read", "allow"); code != exitOK ||
				!strings.Contains(out, "warden grant: conf/model.conf is not in") || !strings.Contains(out, "using the embedded default model") {
				t.Errorf("grant without --model on an empty database: exit %d, want 0 with a note\n%s", code, out)
			}
			if code, out := cli("grant", "--db", db.DSN, "--model", "rbac", "p", "alice", "data1", "read"); code != exitOK {
				t.Fatalf("grant --model rbac: exit %d: %s", code, out)
			}
			for _, args := range [][]string{
				{"grant", "--db", db.DSN, "p", "bob", "data1", "read", "allow"},
				{"revoke", "--db", db.DSN, "p", "alice", "data1", "read", "allow"},
				{"list", "--db", db.DSN},
			} {
				if code, out := cli(args...); code != exitError || !strings.Contains(out, "the database holds a policy") || !strings.Contains(out, "--model default") {
					t.Errorf("warden %s without --model on a stored policy: exit %d, want %d with the reason\n%s", args[0], code, exitError, out)
				}
			}
			code, out := cli("list", "--db", db.DSN, "--model", "rbac")
			if code != exitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, "alice") {
				t.Errorf("the stored policy after the refusals: exit %d\n%s", code, out)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
