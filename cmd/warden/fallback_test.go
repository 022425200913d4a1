package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestFallbackErrorsCarryNoStackTrace: for a model that Casbin's own
// enforcer decides (a priority effect), a decision that fails inside one of
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
[policy_definition]
p = sub, net, act, eft
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = r.sub == p.sub && ipMatch(r.ip, p.net) && r.act == p.act
`)
	write(policyPath, "p, alice, 10.0.0.0/8, GET, allow\n")
	write(casesPath, "alice, not-an-ip, GET, allow\n")
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
