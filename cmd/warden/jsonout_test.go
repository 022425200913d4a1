package main

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/wardenhq/warden/server"
)

// TestEnforceJSON: enforce --json prints one object, the shape /v1/check
// answers, with the same exit codes as the text output.
func TestEnforceJSON(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bob", "/posts/42", "GET"}, 0,
			`{"request":{"act":"GET","obj":"/posts/42","sub":"bob"},"allowed":true,"effect":"allow",` +
				`"rule":{"ptype":"p","values":["viewer","/posts/:id","GET","allow"]},"chain":["bob","editor","viewer"]}`},
		{[]string{"alice", "/audit/2026", "DELETE"}, 1,
			`{"request":{"act":"DELETE","obj":"/audit/2026","sub":"alice"},"allowed":false,"effect":"deny",` +
				`"rule":{"ptype":"p","values":["admin","/audit/*","DELETE","deny"]},"chain":["alice","admin"]}`},
		{[]string{"mallory", "/posts", "GET"}, 1,
			`{"request":{"act":"GET","obj":"/posts","sub":"mallory"},"allowed":false,"effect":"none","chain":[]}`},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"enforce", "--json", "--model", confModel, "--policy", confPolicy}, tt.args...), &stdout, &stderr)
		if code != tt.code || strings.TrimSpace(stdout.String()) != tt.want || stderr.Len() > 0 {
			t.Errorf("enforce --json %q: exit %d, stdout %s, stderr %q; want exit %d and\n%s", tt.args, code, stdout.String(), stderr.String(), tt.code, tt.want)
		}
		// Every key is one /v1/check answers.
		dec := json.NewDecoder(&stdout)
		dec.DisallowUnknownFields()
		var res server.CheckResult
		if err := dec.Decode(&res); err != nil {
			t.Errorf("enforce --json %q is not a /v1/check answer: %v", tt.args, err)
		}
	}
	// An error prints no JSON, and no verdict: exit 2, the message on stderr.
	var stdout, stderr bytes.Buffer
	if code := run([]string{"enforce", "--json", "--model", confModel, "--policy", confPolicy, "alice", "/posts"}, &stdout, &stderr); code != 2 ||
		stdout.Len() > 0 || !strings.Contains(stderr.String(), "2 values, the model's request has 3") {
		t.Errorf("enforce --json with a bad request: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

// TestTestJSON: test --json reports every case in one object; the exit
// code is that of the text output.
func TestTestJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"test", "--json", "--model", confModel, "--policy", confPolicy, "testdata/failing.yaml"}, &stdout, &stderr)
	if code != 1 || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	var rep testReport
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatal(err)
	}
	if rep.File != "testdata/failing.yaml" || rep.Total != 4 || rep.Passed != 1 || rep.Failed != 3 || rep.Errors != 0 || len(rep.Cases) != 4 {
		t.Fatalf("report: %+v", rep)
	}
	first := rep.Cases[0]
	if first.Line != 1 || !first.Passed || first.Got != "allow" || first.Expect != "allow" || first.Request["sub"] != "carol" {
		t.Errorf("first case: %+v", first)
	}
	second := rep.Cases[1]
	if second.Line != 3 || second.Passed || second.Got != "deny" || second.Expect != "allow" || second.Effect != "deny" ||
		second.Rule == nil || strings.Join(second.Rule.Values, ",") != "bob,/posts/:id/comments,*,deny" || strings.Join(second.Chain, ",") != "bob" {
		t.Errorf("second case: %+v", second)
	}
	if rep.Cases[2].Effect != "none" || rep.Cases[2].Rule != nil || rep.Cases[2].Chain == nil {
		t.Errorf("a case no rule decided: %+v", rep.Cases[2])
	}
	// The documented keys, every one present (rule only when a rule
	// decided, error only for a failed decision).
	stdout.Reset()
	run([]string{"test", "--json", "--model", confModel, "--policy", confPolicy, "testdata/failing.yaml"}, &stdout, &stderr)
	var raw map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"file", "total", "passed", "failed", "errors", "cases"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("test --json lacks %q", k)
		}
	}
	c := raw["cases"].([]any)[1].(map[string]any)
	for _, k := range []string{"line", "request", "expect", "got", "passed", "effect", "rule", "chain"} {
		if _, ok := c[k]; !ok {
			t.Errorf("a case of test --json lacks %q", k)
		}
	}
}

func TestVersionJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"version", "--json"}, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if want := `{"version":"dev","go":"` + runtime.Version() + `"}` + "\n"; stdout.String() != want {
		t.Errorf("version --json = %q, want %q", stdout.String(), want)
	}
}
