package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const (
	confModel  = "../../conf/model.conf"
	confPolicy = "../../conf/policy.csv"
)

func TestRun(t *testing.T) {
	m, p := confModel, confPolicy
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // exact
		wantStderr string // substring; "" means stderr must be empty
	}{
		// enforce
		{"allow", []string{"enforce", "--model", m, "--policy", p, "bob", "/posts/42", "GET"}, 0, "allow\n", ""},
		{"allow explained through two roles", []string{"enforce", "--model", m, "--policy", p, "--explain", "bob", "/posts/42", "GET"}, 0,
			"allow\nrule: p, viewer, /posts/:id, GET, allow\nchain: bob -> editor -> viewer\n", ""},
		{"deny rule wins over admin", []string{"enforce", "--model", m, "--policy", p, "--explain", "alice", "/audit/2026", "DELETE"}, 1,
			"deny\nrule: p, admin, /audit/*, DELETE, deny\nchain: alice -> admin\n", ""},
		{"no rule", []string{"enforce", "--model", m, "--policy", p, "--explain", "mallory", "/posts", "GET"}, 1,
			"deny\nrule: none (no rule matched, denied by default)\n", ""},
		{"flags after the request", []string{"enforce", "carol", "/posts", "GET", "--explain", "--model", m, "--policy", p}, 0,
			"allow\nrule: p, viewer, /posts, GET, allow\nchain: carol -> viewer\n", ""},
		{"-- ends flags", []string{"enforce", "--model", m, "--policy", p, "--", "--explain", "/posts", "GET"}, 1, "deny\n", ""},
		{"ABAC attributes from JSON", []string{"enforce", "--model", "../../models/abac.conf", "--policy", "../../models/testdata/abac.csv", "--explain",
			`{"Name": "bob", "Age": 30}`, `{"Owner": "alice", "Type": "doc"}`, "read"}, 0,
			"allow\nrule: p, r.sub.Age >= 18, doc, read\n", ""},
		{"ABAC owner", []string{"enforce", "--model", "../../models/abac.conf", "--policy", "../../models/testdata/abac.csv",
			`{"Name": "kid", "Age": 12}`, `{"Owner": "kid", "Type": "doc"}`, "write"}, 0, "allow\n", ""},
		{"ABAC too young", []string{"enforce", "--model", "../../models/abac.conf", "--policy", "../../models/testdata/abac.csv",
			`{"Name": "kid", "Age": 12}`, `{"Owner": "alice", "Type": "doc"}`, "read"}, 1, "deny\n", ""},
		{"invalid JSON argument", []string{"enforce", "--model", m, "--policy", p, `{"Name": `, "/posts", "GET"}, 2, "", "argument 1: invalid JSON object"},
		{"no --model: the default model", []string{"enforce", "--policy", p, "bob", "/posts/42", "GET"}, 0, "allow\n",
			"warden enforce: conf/model.conf is not in "},
		{"an embedded model by name", []string{"enforce", "--model", "abac", "--policy", "../../models/testdata/abac.csv",
			`{"Name": "kid", "Age": 12}`, `{"Owner": "kid", "Type": "doc"}`, "write"}, 0, "allow\n", ""},
		{"an unknown model name", []string{"enforce", "--model", "rbca", "--policy", p, "a", "b", "c"}, 2, "",
			"--model rbca: no such file, and no embedded model of that name (embedded: default, abac, permissions, rbac, rbac_deny, rbac_domains, restful)"},
		{"missing --policy", []string{"enforce", "--model", m, "alice", "/posts", "GET"}, 2, "", "warden enforce: --policy is required"},
		{"no request", []string{"enforce", "--model", m, "--policy", p}, 2, "", "no request"},
		{"wrong number of request fields", []string{"enforce", "--model", m, "--policy", p, "alice", "/posts"}, 2, "", "2 values, the model's request has 3"},
		{"bad policy fails closed", []string{"enforce", "--model", m, "--policy", "testdata/bad_policy.csv", "bob", "/posts", "GET"}, 2, "",
			"testdata/bad_policy.csv:3: wrong number of fields: ptype p expects 4 fields (sub, obj, act, eft), got 3"},
		{"missing model file", []string{"enforce", "--model", "testdata/nope.conf", "--policy", p, "a", "b", "c"}, 2, "", "nope.conf"},
		{"unknown flag", []string{"enforce", "--modle", m}, 2, "", "flag provided but not defined: -modle"},

		// lint
		{"lint ok", []string{"lint", "--model", m, "--policy", p}, 0, "ok\n", ""},
		{"lint model only", []string{"lint", "--model", m}, 0, "ok\n", ""},
		{"lint problems", []string{"lint", "--model", m, "--policy", "testdata/bad_policy.csv"}, 2,
			"testdata/bad_policy.csv:3: wrong number of fields: ptype p expects 4 fields (sub, obj, act, eft), got 3 (Casbin v2 has no default for a missing eft: write allow or deny)\n", ""},
		{"lint bad model", []string{"lint", "--model", "../../lint/testdata/effect/model.conf"}, 2,
			`../../lint/testdata/effect/model.conf:9: e: effect "some(where (p.eft == allow))  && !some(where (p.eft == deny))" is not supported by Casbin; use one of: some(where (p.eft == allow)) | !some(where (p.eft == deny)) | some(where (p.eft == allow)) && !some(where (p.eft == deny)) | priority(p.eft) || deny | subjectPriority(p.eft) || deny` + "\n", ""},
		{"lint without --model: the default model", []string{"lint"}, 0, "ok\n", "warden lint: conf/model.conf is not in "},
		{"lint an embedded model with a policy", []string{"lint", "--model", "rbac_deny", "--policy", "testdata/bad_policy.csv"}, 2,
			"testdata/bad_policy.csv:3: wrong number of fields: ptype p expects 4 fields (sub, obj, act, eft), got 3 (Casbin v2 has no default for a missing eft: write allow or deny)\n", ""},
		{"lint a value Casbin reads with its space", []string{"lint", "--model", m, "--policy", "testdata/trailing_space.csv"}, 2,
			`testdata/trailing_space.csv:2: field sub: "alice " has leading or trailing space, which Casbin keeps as part of the value ("alice " is not "alice")` + "\n", ""},
		{"enforce refuses a value Casbin reads with its space", []string{"enforce", "--model", m, "--policy", "testdata/trailing_space.csv", "alice", "/x", "GET"}, 2, "",
			"testdata/trailing_space.csv:2: enforcer: invalid rule: p value 1: field sub: "},
		{"lint unreadable", []string{"lint", "--model", "testdata/nope.conf"}, 2, "", "nope.conf"},
		{"lint stray argument", []string{"lint", "--model", m, "extra"}, 2, "", "unexpected arguments"},

		// test
		{"test YAML passes", []string{"test", "--model", m, "--policy", p, "testdata/cases.yaml"}, 0, "5 cases, 5 passed, 0 failed\n", ""},
		{"test CSV passes", []string{"test", "--model", m, "--policy", p, "testdata/cases.csv"}, 0, "4 cases, 4 passed, 0 failed\n", ""},
		{"test ABAC YAML", []string{"test", "--model", "../../models/abac.conf", "--policy", "../../models/testdata/abac.csv", "testdata/abac.yaml"}, 0,
			"2 cases, 2 passed, 0 failed\n", ""},
		{"test failures explained", []string{"test", "--model", m, "--policy", p, "testdata/failing.yaml"}, 1,
			"FAIL testdata/failing.yaml:3: bob /posts/42/comments GET: got deny, want allow\n" +
				"    rule: p, bob, /posts/:id/comments, *, deny\n" +
				"    chain: bob\n" +
				"FAIL testdata/failing.yaml:5: mallory /posts GET: got deny, want allow\n" +
				"    rule: none (no rule matched, denied by default)\n" +
				"FAIL testdata/failing.yaml:7: alice /posts/1 GET: got allow, want deny\n" +
				"    rule: p, viewer, /posts/:id, GET, allow\n" +
				"    chain: alice -> admin -> editor -> viewer\n" +
				"4 cases, 1 passed, 3 failed\n", ""},
		{"test bad expectation", []string{"test", "--model", m, "--policy", p, "testdata/bad_expect.yaml"}, 2, "",
			`testdata/bad_expect.yaml:4: expect: "maybe" is neither allow nor deny`},
		{"test bad policy", []string{"test", "--model", m, "--policy", "testdata/bad_policy.csv", "testdata/cases.yaml"}, 2, "", "bad_policy.csv:3:"},
		{"test missing cases", []string{"test", "--model", m, "--policy", p}, 2, "", "want exactly one CASES file"},
		{"test unreadable cases", []string{"test", "--model", m, "--policy", p, "testdata/nope.yaml"}, 2, "", "nope.yaml"},

		// version and dispatch
		{"version", []string{"version"}, 0, "warden dev (" + runtime.Version() + ")\n", ""},
		{"no command", nil, 2, "", "Usage: warden COMMAND"},
		{"help", []string{"help"}, 0, helpText(), ""},
		{"unknown command", []string{"frobnicate"}, 2, "", `warden: unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			if got := stdout.String(); got != tt.wantStdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, tt.wantStdout)
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

// TestModelFixturesThroughCLI runs every embedded model's case file with
// `warden test`, so the CLI reads the fixture format the models package
// documents (CSV with JSON attribute fields).
func TestModelFixturesThroughCLI(t *testing.T) {
	confs, err := filepath.Glob("../../models/*.conf")
	if err != nil || len(confs) == 0 {
		t.Fatalf("no models found: %v", err)
	}
	for _, conf := range confs {
		name := strings.TrimSuffix(filepath.Base(conf), ".conf")
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"test", "--model", conf, "--policy", "../../models/testdata/" + name + ".csv",
				"../../models/testdata/" + name + "_cases.csv"}, &stdout, &stderr)
			if code != 0 || !strings.HasSuffix(stdout.String(), " 0 failed\n") {
				t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
			}
		})
	}
}

// helpText is the usage text: every command of the table, one per line, so
// that adding a command is one line in main.go and none here.
func helpText() string {
	var b strings.Builder
	b.WriteString("Usage: warden COMMAND [flags] [args]\n\nCommands:\n")
	for _, c := range commands {
		b.WriteString(fmt.Sprintf("  %-9s %s\n", c.name, c.summary))
	}
	b.WriteString("\nRun \"warden COMMAND --help\" (or \"warden help COMMAND\") for a command's flags.\n")
	return b.String()
}

func TestHelpListsEveryCommand(t *testing.T) {
	for _, want := range []string{"enforce", "lint", "test", "version", "token"} {
		if !strings.Contains(helpText(), "\n  "+want+" ") {
			t.Errorf("help does not list %s", want)
		}
	}
}
