package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wardenhq/warden/enforcer"
)

// TestFallbackErrorsCarryNoStackTrace: for a model that Casbin's own
// enforcer decides (a second matcher that reads no policy), a decision that fails inside one of
// Casbin's functions is reported in one line: Casbin appends the goroutine
// stack to a recovered panic, and neither the stack nor its addresses may
// reach the command line's output (issue 10, item 15).
func TestFallbackErrorsCarryNoStackTrace(t *testing.T) {
	dir := t.TempDir()
	modelPath := filepath.Join(dir, "model.conf")
	policyPath := filepath.Join(dir, "policy.csv")
	casesPath := filepath.Join(dir, "cases.txt")
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(modelPath, `[request_definition]
r = sub, ip, act
r2 = sub
[policy_definition]
p = sub, net, act, eft
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = r.sub == p.sub && ipMatch(r.ip, p.net) && r.act == p.act
m2 = r2.sub == "root"
`)
	write(policyPath, "p, alice, 10.0.0.0/8, GET, allow\n")
	write(casesPath, "alice, not-an-ip, GET, allow\n")
	e, err := enforcer.NewFromFiles(context.Background(), modelPath, policyPath)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.FastPath(); ok {
		t.Fatal("the model decides on the index: this test needs one Casbin's enforcer decides")
	}
	leak := regexp.MustCompile(`goroutine|0x[0-9a-f]+|\.go:[0-9]+|runtime/|panic\(`)
	for _, args := range [][]string{
		{"enforce", "--model", modelPath, "--policy", policyPath, "alice", "not-an-ip", "GET"},
		{"test", "--model", modelPath, "--policy", policyPath, casesPath},
	} {
		var out, errb bytes.Buffer
		code := run(args, &out, &errb)
		all := out.String() + errb.String()
		if code == exitOK {
			t.Fatalf("warden %s: exit 0 for a failed decision\n%s", args[0], all)
		}
		if !strings.Contains(all, "evaluation failed") {
			t.Fatalf("warden %s: the failure is not reported:\n%s", args[0], all)
		}
		if leak.MatchString(all) || strings.Count(strings.TrimSpace(errb.String()), "\n") > 0 {
			t.Fatalf("warden %s: output carries a stack trace or an address:\n%s", args[0], all)
		}
	}
}

// TestRequestEvalAndBadPatternsOnTheCommandLine: `warden lint` reports
// eval() of request data and a rule value its function cannot read as
// FILE:LINE, and `warden enforce` refuses both instead of deciding
// (issue 10, items 11 and 13).
func TestRequestEvalAndBadPatternsOnTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	evalModel := filepath.Join(dir, "eval.conf")
	policy := filepath.Join(dir, "policy.csv")
	badPolicy := filepath.Join(dir, "bad.csv")
	for path, text := range map[string]string{
		evalModel: "[request_definition]\nr = sub, obj, rule\n[policy_definition]\np = sub, obj\n" +
			"[policy_effect]\ne = some(where (p.eft == allow))\n[matchers]\nm = r.obj == p.obj && eval(r.rule)\n",
		policy:    "p, bob, data1\n",
		badPolicy: "p, viewer, /posts, GET, allow\np, viewer, /posts(, GET, allow\n",
	} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"lint", "--model", evalModel}, exitError, evalModel + ":8: m: eval(r.rule) evaluates request data"},
		{[]string{"enforce", "--model", evalModel, "--policy", policy, "mallory", "data1", `p.sub == "bob" || true`}, exitError, "eval(r.rule) evaluates request data"},
		{[]string{"lint", "--model", confModel, "--policy", badPolicy}, exitError, badPolicy + `:2: field obj: "/posts(" is not a valid keyMatch2 pattern`},
		{[]string{"enforce", "--model", confModel, "--policy", badPolicy, "viewer", "/posts", "GET"}, exitError, badPolicy + ":2: "},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(tt.args, &out, &errb)
		if code != tt.code || !strings.Contains(out.String()+errb.String(), tt.want) || strings.Contains(out.String(), "allow") {
			t.Errorf("warden %q: exit %d\nstdout %s\nstderr %s\nwant exit %d with %q", tt.args, code, out.String(), errb.String(), tt.code, tt.want)
		}
	}
}
