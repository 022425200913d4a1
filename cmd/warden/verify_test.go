package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/parity"
)

// Casbin's example of a model with two definitions (examples/), copied.
const (
	mpdModel  = "testdata/multiple_policy_definitions_model.conf"
	mpdPolicy = "testdata/multiple_policy_definitions_policy.csv"
)

func TestVerify(t *testing.T) {
	m, p := confModel, confPolicy
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // substrings
		wantStderr string   // substring; "" means stderr must be empty
	}{
		{"equal on the index", []string{"verify", "--model", m, "--policy", p}, 0,
			[]string{"equal: 1000 requests (seed 1): Casbin allowed ", "Warden decided each alike, by the same rule\n", "fast path: yes, Warden decides on its index\n"}, ""},
		{"requests and seed", []string{"verify", "--model", m, "--policy", p, "--requests", "50", "--seed", "9"}, 0,
			[]string{"equal: 50 requests (seed 9)"}, ""},
		{"the embedded abac model, eval() on the index", []string{"verify", "--model", "../../models/abac.conf", "--policy", "../../models/testdata/abac.csv", "--requests", "200"}, 0,
			[]string{"equal: 200 requests", "fast path: yes, Warden decides on its index\n"}, ""},
		{"an embedded model by its name (before: open abac: no such file)", []string{"verify", "--model", "abac", "--policy", "../../models/testdata/abac.csv", "--requests", "200"}, 0,
			[]string{"equal: 200 requests", "fast path: yes, Warden decides on its index\n"}, ""},
		{"a model Casbin decides inside Warden", []string{"verify", "--model", "testdata/request_only.conf", "--policy", "testdata/request_only.csv", "--requests", "200"}, 0,
			[]string{"equal: 200 requests", "fast path: no, Casbin's own enforcer decides inside Warden (matcher does not refer to the policy)\n"}, ""},
		{"a custom function Warden cannot register", []string{"verify", "--model", "testdata/custom_function.conf", "--policy", p}, 2, nil,
			"warden verify: Warden cannot load these files, so there is nothing to compare:\ntestdata/custom_function.conf:13: m: unknown function keyMatchCustom"},
		{"bad policy", []string{"verify", "--model", m, "--policy", "testdata/bad_policy.csv"}, 2, nil,
			"testdata/bad_policy.csv:3: wrong number of fields"},
		// Casbin reads "p, alice , /x" as subject "alice " and denies
		// alice; a reader that trimmed allowed her. Warden refuses the
		// line, naming it and the field, so nothing differs.
		{"surrounding space in a value", []string{"verify", "--model", m, "--policy", "testdata/trailing_space.csv"}, 2, nil,
			"testdata/trailing_space.csv:2: enforcer: invalid rule: p value 1: field sub: \"alice \" has leading or trailing space"},
		{"missing model file", []string{"verify", "--model", "testdata/nope.conf", "--policy", p}, 2, nil, "nope.conf"},
		{"missing --model", []string{"verify", "--policy", p}, 2, nil, "warden verify: --model is required"},
		{"missing --policy", []string{"verify", "--model", m}, 2, nil, "warden verify: --policy is required"},
		{"no requests", []string{"verify", "--model", m, "--policy", p, "--requests", "0"}, 2, nil, "--requests must be at least 1, got 0"},
		{"stray argument", []string{"verify", "--model", m, "--policy", p, "alice"}, 2, nil, "unexpected arguments"},
		// Casbin's object_conditions example: filter conditions written
		// with "=", which Casbin stores and fails on where reached.
		{"a text eval() cannot compile", []string{"verify", "--model", "testdata/object_conditions_model.conf", "--policy", "testdata/object_conditions_policy.csv"}, 2, nil,
			"testdata/object_conditions_policy.csv:2: enforcer: invalid rule: p value 2: field sub_rule: \"r.obj.category_id = 2\" is not an expression eval() can read"},
		{"a text eval() cannot compile, deferred", []string{"verify", "--model", "testdata/object_conditions_model.conf", "--policy", "testdata/object_conditions_policy.csv",
			"--defer-eval-errors", "--requests", "300"}, 0, []string{"equal: 300 requests (seed 1): Casbin allowed ", "fast path: yes"}, ""},
		{"help", []string{"verify", "-h"}, 0, []string{"Usage: warden verify --model FILE|NAME --policy FILE [--definition SUFFIX] [--defer-eval-errors] [--requests N] [--seed S] [--json]",
			"  --definition suffix or r,p,e,m\n"}, ""},
		// Casbin's TestMultiplePolicyDefinitions asks this model with
		// NewEnforceContext("2") and EType "e": the model has no e2.
		{"a second definition", []string{"verify", "--model", mpdModel, "--policy", mpdPolicy, "--definition", "2", "--requests", "300"}, 0,
			[]string{"equal: 300 requests (seed 1, definition {r2, p2, e, m2}): Casbin allowed ", "fast path: yes"}, ""},
		{"the default and a second definition", []string{"verify", "--model", mpdModel, "--policy", mpdPolicy, "--definition", "", "--definition", "2"}, 0,
			[]string{"equal: 1000 requests (seed 1, definitions {r, p, e, m} and {r2, p2, e, m2}): "}, ""},
		{"four names", []string{"verify", "--model", mpdModel, "--policy", mpdPolicy, "--definition", "r2, p2, e, m2", "--definition", "r,p,e,m"}, 0,
			[]string{"equal: 1000 requests (seed 1, definitions {r2, p2, e, m2} and {r, p, e, m}): "}, ""},
		// enforcer_cached_b_test.go BenchmarkCachedWithEnforceContext: r2
		// and m2 with the only p and e.
		{"a suffix the policy definition lacks", []string{"verify", "--model", "testdata/priority_model_enforce_context.conf",
			"--policy", "testdata/priority_policy_enforce_context.csv", "--definition", "2"}, 0,
			[]string{"equal: 1000 requests (seed 1, definition {r2, p, e, m2}): "}, ""},
		{"no such matcher", []string{"verify", "--model", mpdModel, "--policy", mpdPolicy, "--definition", "3"}, 2, nil,
			"warden verify: --definition 3: the model has no matcher m3 (it has m, m2)"},
		{"the default model has one definition", []string{"verify", "--model", m, "--policy", p, "--definition", "2"}, 2, nil,
			"warden verify: --definition 2: the model has no matcher m2 (it has m)"},
		{"a name the model lacks", []string{"verify", "--model", mpdModel, "--policy", mpdPolicy, "--definition", "r2,p2,e2,m2"}, 2, nil,
			"warden verify: --definition r2,p2,e2,m2: the model has no e2 in [policy_effect]"},
		{"a name of another section", []string{"verify", "--model", mpdModel, "--policy", mpdPolicy, "--definition", "r2,p2,m2,e"}, 2, nil,
			"warden verify: --definition r2,p2,m2,e: the model has no m2 in [policy_effect]"},
		{"two names", []string{"verify", "--model", mpdModel, "--policy", mpdPolicy, "--definition", "r2,m2"}, 2, nil,
			"warden verify: --definition r2,m2: give a suffix (2 for r2, p2, e2, m2) or four names r,p,e,m"},
		{"a suffix with a space", []string{"verify", "--model", mpdModel, "--policy", mpdPolicy, "--definition", "2 "}, 2, nil,
			"warden verify: --definition \"2 \": give a suffix (2 for r2, p2, e2, m2) or four names r,p,e,m"},
		{"definition with an unreadable model", []string{"verify", "--model", "testdata/custom_function.conf", "--policy", p, "--definition", "2"}, 2, nil,
			"warden verify: Warden cannot load these files, so there is nothing to compare:\ntestdata/custom_function.conf:13: m: unknown function keyMatchCustom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout %q lacks %q", stdout.String(), w)
				}
			}
			if len(tt.wantStdout) == 0 && stdout.Len() > 0 {
				t.Errorf("unexpected stdout: %s", stdout.String())
			}
			if tt.wantStderr == "" && stderr.Len() > 0 {
				t.Errorf("unexpected stderr: %s", stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestVerifyJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"verify", "--model", confModel, "--policy", confPolicy, "--requests", "200", "--json"}, &stdout, &stderr)
	if code != exitOK || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	var rep struct {
		Requests    int               `json:"requests"`
		FastPath    bool              `json:"fast_path"`
		Allowed     int               `json:"allowed"`
		Differences []json.RawMessage `json:"differences"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	if rep.Requests != 200 || !rep.FastPath || rep.Allowed == 0 || rep.Differences == nil || len(rep.Differences) != 0 {
		t.Fatalf("report %s", stdout.String())
	}
}

// TestVerifyReportsDifferences: what verify prints, and its exit code, for
// a comparison that found differences. A Warden that differs from Casbin
// is made by wrapping the real enforcer in a decider that denies alice.
func TestVerifyReportsDifferences(t *testing.T) {
	cfg := parity.Config{ModelFile: confModel, PolicyFile: confPolicy, Requests: 300, Seed: 1,
		Decider: func(e *enforcer.Enforcer) enforcer.Decider { return denyAlice{e} }}
	rep, err := parity.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := reportVerify(rep, false, &stdout, &stderr); code != exitFail {
		t.Fatalf("exit %d, want %d", code, exitFail)
	}
	out := stdout.String()
	var diffs int
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "DIFF ") {
			diffs++
			if !strings.HasPrefix(l, "DIFF decision: alice ") && !strings.HasPrefix(l, "DIFF rule: alice ") {
				t.Errorf("%s: only alice's requests differ", l)
			}
		}
	}
	if len(rep.Diffs) == 0 || diffs != len(rep.Diffs) {
		t.Fatalf("%d differences, printed:\n%s", len(rep.Diffs), out)
	}
	if !strings.Contains(out, "    warden: deny, rule: none\n    casbin: allow, rule: ") ||
		!strings.Contains(out, "requests differ, 0 policy rules are read differently\n") {
		t.Fatalf("printed:\n%s", out)
	}
	stdout.Reset()
	if code := reportVerify(rep, true, &stdout, &stderr); code != exitFail {
		t.Fatalf("JSON: exit %d", code)
	}
	var j struct {
		Differences []parity.Diff `json:"differences"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &j); err != nil || len(j.Differences) != len(rep.Diffs) || j.Differences[0].Kind != parity.KindDecision {
		t.Fatalf("JSON %v: %s", err, stdout.String())
	}
	// Rules read differently from the file are differences too.
	stdout.Reset()
	rep = &parity.Report{Requests: 1, PolicyDiffs: []string{"casbin only: p, alice , /x, GET, allow"}}
	if code := reportVerify(rep, false, &stdout, &stderr); code != exitFail || !strings.HasPrefix(stdout.String(), "POLICY read differently: casbin only: p, alice , /x, GET, allow\n") {
		t.Fatalf("exit %d:\n%s", code, stdout.String())
	}
}

type denyAlice struct{ e *enforcer.Enforcer }

func (d denyAlice) Decide(ctx context.Context, req enforcer.Request) (enforcer.Decision, error) {
	if req.Values[0] == "alice" {
		return enforcer.Decision{}, nil
	}
	return d.e.Decide(ctx, req)
}

func TestShortValues(t *testing.T) {
	long := strings.Repeat("é", 100)
	got := shortValues([]any{"alice", "", "a b", long, map[string]any{"Age": 18}})
	want := `alice "" "a b" ` + strings.Repeat("é", 30) + `…(200B) {"Age":18}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestVerifyDefinitionIsAsked: --definition reaches both sides. The report
// names the definitions asked, and a Warden that decides every request
// with the default definition instead differs from Casbin on them.
func TestVerifyDefinitionIsAsked(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"verify", "--model", mpdModel, "--policy", mpdPolicy, "--definition", "2", "--requests", "200", "--json"}, &stdout, &stderr)
	if code != exitOK || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	var rep parity.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, stdout.String())
	}
	want := enforcer.Definition{R: "r2", P: "p2", E: "e", M: "m2"}
	if len(rep.Definitions) != 1 || rep.Definitions[0] != want || rep.Allowed == 0 || rep.Denied == 0 {
		t.Fatalf("report %s", stdout.String())
	}
	cfg := parity.Config{ModelFile: mpdModel, PolicyFile: mpdPolicy, Requests: 200, Seed: 1, Definitions: rep.Definitions,
		Decider: func(e *enforcer.Enforcer) enforcer.Decider { return defaultDefinition{e} }}
	wrong, err := parity.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := reportVerify(wrong, false, &stdout, &stderr); code != exitFail ||
		!strings.Contains(stdout.String(), "DIFF error (definition {r2, p2, e, m2}): {\"Age\":") {
		t.Fatalf("exit %d:\n%s", code, stdout.String())
	}
}

type defaultDefinition struct{ e *enforcer.Enforcer }

func (d defaultDefinition) Decide(ctx context.Context, req enforcer.Request) (enforcer.Decision, error) {
	req.Definition = enforcer.Definition{}
	return d.e.Decide(ctx, req)
}

// TestVerifySubjectPriorityCycle: on a subjectPriority policy whose g
// links cycle below a top role, plain Casbin's loader never returns; verify
// says Casbin cannot load the files and exits 2 instead of hanging. A hung
// run fails the test after a generous bound; the passing case never waits.
func TestVerifySubjectPriorityCycle(t *testing.T) {
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"verify", "--model", "testdata/subject_priority_cycle.conf", "--policy", "testdata/subject_priority_cycle.csv"}, &stdout, &stderr)
	}()
	var code int
	select {
	case code = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("warden verify did not return: plain Casbin's subject sort loops on the cycle")
	}
	want := "warden verify: plain Casbin cannot load these files, so there is nothing to compare:\n"
	if code != 2 || !strings.HasPrefix(stderr.String(), want) || !strings.Contains(stderr.String(), "g, b, a; g, a, b") || stdout.Len() > 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}
