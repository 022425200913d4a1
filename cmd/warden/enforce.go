package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/wardenhq/warden/enforcer"
)

func runEnforce(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("enforce", "[--model FILE|NAME] [--policy FILE] [--explain] [--json] ARG...", stdout, stderr)
	fs.note("Prints allow or deny and exits 0 (allow), 1 (deny) or 2 (error). The ARGs are the model's request\n" +
		"fields in order; an ARG that is a JSON object is passed as attributes (ABAC). Without --model and\n" +
		"--policy it decides with conf/model.conf and conf/policy.csv, or with their embedded copies when\n" +
		"they are not in the working directory. --json prints one object, the shape /v1/check answers:\n" +
		`{"request": {FIELD: VALUE...}, "allowed": BOOL, "effect": "allow"|"deny"|"none", "rule": {"ptype", "values"}, "chain": [...]}` + "\n" +
		`("rule" is absent when no rule decided).`)
	modelSpec := fs.String("model", defaultModelPath, modelUsage("Casbin model"))
	policyPath := fs.String("policy", defaultPolicyPath, "policy CSV `file`")
	explain := fs.Bool("explain", false, "also print the deciding rule and the role chain")
	asJSON := fs.Bool("json", false, "print the decision as one JSON object (see above)")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) == 0 {
		return errorf(stderr, "enforce", "no request: give the model's request fields, e.g. alice /posts GET")
	}
	vals, err := requestValues(pos)
	if err != nil {
		return errorf(stderr, "enforce", "%v", err)
	}
	e, err := openPolicy(ctx, "enforce", *modelSpec, *policyPath, fs.given("policy"), stderr)
	if err != nil {
		return errorf(stderr, "enforce", "%v", err)
	}
	x, err := e.Explain(ctx, enforcer.NewRequest(vals...))
	if err != nil {
		// Fail closed: no verdict is printed when the decision failed.
		return errorf(stderr, "enforce", "%v", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(decisionOf(requestFields(e), vals, x)); err != nil {
			return errorf(stderr, "enforce", "%v", err)
		}
	} else {
		fmt.Fprintln(stdout, verdict(x.Allowed))
		if *explain {
			for _, l := range explainLines(x) {
				fmt.Fprintln(stdout, l)
			}
		}
	}
	if x.Allowed {
		return exitOK
	}
	return exitFail
}

// ruleJSON is a rule in JSON output, as the HTTP API writes it.
type ruleJSON struct {
	PType  string   `json:"ptype"`
	Values []string `json:"values"`
}

// decisionJSON is a decision as `enforce --json` prints it: the object
// POST /v1/check answers for the same request.
type decisionJSON struct {
	Request map[string]any `json:"request"`
	Allowed bool           `json:"allowed"`
	Effect  string         `json:"effect"`
	Rule    *ruleJSON      `json:"rule,omitempty"`
	Chain   []string       `json:"chain"`
}

func decisionOf(fields []string, vals []any, x enforcer.Explanation) decisionJSON {
	d := decisionJSON{Request: requestMap(fields, vals), Allowed: x.Allowed, Effect: x.Effect.String(), Chain: x.Chain}
	if d.Chain == nil {
		d.Chain = []string{}
	}
	if !x.Rule.IsZero() {
		d.Rule = &ruleJSON{PType: x.Rule.PType, Values: x.Rule.Values}
	}
	return d
}

// requestFields returns the names of the model's request fields ("sub",
// "obj", "act" for r = sub, obj, act).
func requestFields(e *enforcer.Enforcer) []string { return e.Fields("r") }

// requestMap names request values by the model's fields.
func requestMap(fields []string, vals []any) map[string]any {
	m := make(map[string]any, len(vals))
	for i, v := range vals {
		if i < len(fields) {
			m[fields[i]] = v
		}
	}
	return m
}
