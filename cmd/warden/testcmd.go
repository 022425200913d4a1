package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/wardenhq/warden/enforcer"
)

// testReport is what `warden test --json` prints: one object.
type testReport struct {
	File   string `json:"file"`
	Total  int    `json:"total"`
	Passed int    `json:"passed"`
	Failed int    `json:"failed"`
	Errors int    `json:"errors"`
	// Cases holds every case in file order.
	Cases []caseResult `json:"cases"`
}

// caseResult is one case of a testReport.
type caseResult struct {
	Line    int            `json:"line"`
	Request map[string]any `json:"request"`
	Expect  string         `json:"expect"`
	// Got is "allow", "deny", or "error" when the decision failed.
	Got    string `json:"got"`
	Passed bool   `json:"passed"`
	// Effect, Rule and Chain explain the decision, as for enforce --json.
	Effect string    `json:"effect"`
	Rule   *ruleJSON `json:"rule,omitempty"`
	Chain  []string  `json:"chain"`
	// Error is why the decision failed, when Got is "error".
	Error string `json:"error,omitempty"`
}

func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("test", "[--model FILE|NAME] [--policy FILE] [--json] CASES", stdout, stderr)
	fs.note("Runs the decisions of CASES, a CSV file (alice, /posts, GET, allow) or YAML\n" +
		"(- {request: [alice, /posts, GET], expect: allow}, one case per item), and prints each failure with its explanation.\n" +
		"Exits 0 when every case passes, 1 when a case got the other decision, 2 when CASES, the model or the\n" +
		"policy cannot be read or understood (the message names FILE:LINE and the field) or a decision failed.\n" +
		`--json prints {"file", "total", "passed", "failed", "errors", "cases": [{"line", "request", "expect",` + "\n" +
		`"got", "passed", "effect", "rule", "chain", "error"}...]} instead.`)
	modelSpec := fs.String("model", defaultModelPath, modelUsage("Casbin model"))
	policyPath := fs.String("policy", defaultPolicyPath, "policy CSV `file`")
	asJSON := fs.Bool("json", false, "print the report as one JSON object (see above)")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		return errorf(stderr, "test", "want exactly one CASES file, got %d arguments", len(pos))
	}
	casesPath := pos[0]
	cases, err := readCases(casesPath)
	if err != nil {
		return errorf(stderr, "test", "%v", err)
	}
	e, err := openPolicy(ctx, "test", *modelSpec, *policyPath, fs.given("policy"), stderr)
	if err != nil {
		return errorf(stderr, "test", "%v", err)
	}
	// A case that does not fit the model is the case file's mistake, found
	// before any decision is made.
	fields := requestFields(e)
	for _, c := range cases {
		if len(c.values) != len(fields) {
			return errorf(stderr, "test", "%s:%d: request: %d values, the model's request has %d (%s)",
				casesPath, c.line, len(c.values), len(fields), strings.Join(fields, ", "))
		}
	}
	rep := testReport{File: casesPath, Total: len(cases), Cases: make([]caseResult, 0, len(cases))}
	var text strings.Builder
	for _, c := range cases {
		res := caseResult{Line: c.line, Request: requestMap(fields, c.values), Expect: verdict(c.allow), Chain: []string{}}
		x, err := e.Explain(ctx, enforcer.NewRequest(c.values...))
		switch {
		case err != nil && ctx.Err() != nil:
			return errorf(stderr, "test", "%v", ctx.Err())
		case err != nil:
			rep.Errors++
			res.Got, res.Effect, res.Error = "error", "none", err.Error()
			fmt.Fprintf(&text, "ERROR %s:%d: %s: %v (want %s)\n", casesPath, c.line, formatValues(c.values), err, verdict(c.allow))
		default:
			d := decisionOf(fields, c.values, x)
			res.Got, res.Effect, res.Rule, res.Chain = verdict(x.Allowed), d.Effect, d.Rule, d.Chain
			res.Passed = x.Allowed == c.allow
			if res.Passed {
				rep.Passed++
				break
			}
			rep.Failed++
			fmt.Fprintf(&text, "FAIL %s:%d: %s: got %s, want %s\n", casesPath, c.line, formatValues(c.values), verdict(x.Allowed), verdict(c.allow))
			for _, l := range explainLines(x) {
				fmt.Fprintf(&text, "    %s\n", l)
			}
		}
		rep.Cases = append(rep.Cases, res)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return errorf(stderr, "test", "%v", err)
		}
	} else {
		// Not "N passed, N failed" alone on a line: CI log readers take that
		// form for a test runner's own summary.
		fmt.Fprintf(stdout, "%s%d cases, %d passed, %d failed", text.String(), rep.Total, rep.Passed, rep.Failed)
		if rep.Errors > 0 {
			fmt.Fprintf(stdout, ", %d errors", rep.Errors)
		}
		fmt.Fprintln(stdout)
	}
	switch {
	case rep.Errors > 0:
		return exitError
	case rep.Failed > 0:
		return exitFail
	}
	return exitOK
}
