package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/parity"
)

// runVerify checks, on the user's own model and policy, the claim that
// Warden decides as plain Casbin does: package parity asks both about
// generated and boundary requests and every difference is printed (exit 1).
// Input either side refuses is exit 2, with the refusing side's message.
func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify", "--model FILE|NAME --policy FILE [--definition SUFFIX] [--defer-eval-errors] [--requests N] [--seed S] [--json]", stdout, stderr)
	modelPath := fs.String("model", "", "Casbin model (required): a `file`, or an embedded model's name: "+strings.Join(modelNames(), ", "))
	policyPath := fs.String("policy", "", "policy CSV `file` (required)")
	var defs []string
	fs.Func("definition", "for a model with several definitions, the `suffix or r,p,e,m` the requests are asked with\n"+
		"(Casbin's EnforceContext): 2 is r2, p2, e2 and m2, each section's default where the model\n"+
		"lacks r2, p2 or e2; \"\" is r, p, e, m. Given again, each gets an equal share of the requests",
		func(v string) error { defs = append(defs, v); return nil })
	deferEval := fs.Bool("defer-eval-errors", false, "load rules whose eval() text no engine can compile, as Casbin does, each\n"+
		"decision that reaches one failing (enforcer.WithDeferredEvalErrors); without it they are refused")
	requests := fs.Int("requests", parity.DefaultRequests, "how many requests to generate")
	seed := fs.Uint64("seed", 1, "chooses the requests: the same seed asks the same requests")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	switch {
	case *modelPath == "":
		return errorf(stderr, "verify", "--model is required")
	case *policyPath == "":
		return errorf(stderr, "verify", "--policy is required")
	case *requests < 1:
		return errorf(stderr, "verify", "--requests must be at least 1, got %d", *requests)
	case len(pos) > 0:
		return errorf(stderr, "verify", "unexpected arguments %q", pos)
	}
	// Plain Casbin reads a file: an embedded model is written to one.
	cm, err := findModel(*modelPath)
	if err != nil {
		return errorf(stderr, "verify", "%v", err)
	}
	if cm.note != "" {
		// findModel's fallback for conf/model.conf: verify checks the
		// files it is given, and the embedded copy is asked for by name.
		return errorf(stderr, "verify", "--model %s: no such file (give --model %s for the embedded default model)", *modelPath, defaultModelName)
	}
	path, cleanup, err := modelFile(cm)
	if err != nil {
		return errorf(stderr, "verify", "%v", err)
	}
	defer cleanup()
	*modelPath = path
	var opts []enforcer.Option
	if *deferEval {
		opts = append(opts, enforcer.WithDeferredEvalErrors())
	}
	var chosen []enforcer.Definition
	if len(defs) > 0 {
		m, err := enforcer.LoadModel(*modelPath, opts...)
		if err != nil {
			return errorf(stderr, "verify", "Warden cannot load these files, so there is nothing to compare:\n%v", err)
		}
		for _, v := range defs {
			d, err := definitionOf(m, v)
			if err != nil {
				return errorf(stderr, "verify", "--definition %s: %v", flagValue(v), err)
			}
			chosen = append(chosen, d)
		}
	}
	rep, err := parity.Run(ctx, parity.Config{ModelFile: *modelPath, PolicyFile: *policyPath, Requests: *requests, Seed: *seed, Definitions: chosen, Options: opts})
	if err != nil {
		var le *parity.LoadError
		if errors.As(err, &le) && le.Side == parity.Warden {
			return errorf(stderr, "verify", "Warden cannot load these files, so there is nothing to compare:\n%v", le.Err)
		}
		if errors.As(err, &le) {
			return errorf(stderr, "verify", "plain Casbin cannot load these files, so there is nothing to compare:\n%v", le.Err)
		}
		return errorf(stderr, "verify", "%v", err)
	}
	return reportVerify(rep, *asJSON, stdout, stderr)
}

// definitionOf reads a --definition value against model m: a suffix ("2":
// r2, p2, e2, m2, each section's default where m lacks that name, as
// Casbin's tests ask such models; "" the defaults) or four names r,p,e,m.
// A matcher the model lacks, or a name it lacks in the given section, is
// an error: Casbin's enforcer fails on such a choice.
func definitionOf(m model.Model, v string) (enforcer.Definition, error) {
	if strings.Contains(v, ",") {
		names := strings.Split(v, ",")
		if len(names) != 4 {
			return enforcer.Definition{}, errors.New(definitionSyntax)
		}
		d := enforcer.Definition{}
		for i, f := range []struct {
			sec string
			dst *string
		}{{"r", &d.R}, {"p", &d.P}, {"e", &d.E}, {"m", &d.M}} {
			name := strings.TrimSpace(names[i])
			if _, ok := m[f.sec][name]; !ok || !strings.HasPrefix(name, f.sec) {
				return enforcer.Definition{}, fmt.Errorf("the model has no %s in [%s]", name, sectionTitle[f.sec])
			}
			*f.dst = name
		}
		return d, nil
	}
	if v == "" {
		return enforcer.Definition{}, nil
	}
	for _, r := range v {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_') {
			return enforcer.Definition{}, errors.New(definitionSyntax)
		}
	}
	if _, ok := m["m"]["m"+v]; !ok {
		have := slices.Sorted(maps.Keys(m["m"]))
		return enforcer.Definition{}, fmt.Errorf("the model has no matcher m%s (it has %s)", v, strings.Join(have, ", "))
	}
	d := enforcer.Definitions(v)
	for _, f := range []struct {
		sec string
		dst *string
	}{{"r", &d.R}, {"p", &d.P}, {"e", &d.E}} {
		if _, ok := m[f.sec][*f.dst]; !ok {
			*f.dst = f.sec
		}
	}
	return d, nil
}

const definitionSyntax = "give a suffix (2 for r2, p2, e2, m2) or four names r,p,e,m"

// sectionTitle names a model section as the model file writes it.
var sectionTitle = map[string]string{"r": "request_definition", "p": "policy_definition", "e": "policy_effect", "m": "matchers"}

// flagValue quotes a flag value that would not read back as itself.
func flagValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\"'") {
		return fmt.Sprintf("%q", v)
	}
	return v
}

// reportVerify prints rep, as text or JSON, and returns the exit code:
// exitFail when Warden and Casbin differ.
func reportVerify(rep *parity.Report, asJSON bool, stdout, stderr io.Writer) int {
	if asJSON {
		if rep.Diffs == nil {
			rep.Diffs = []parity.Diff{} // "differences": [] rather than null
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return errorf(stderr, "verify", "%v", err)
		}
	} else {
		printVerify(stdout, rep)
	}
	if !rep.Equal() {
		return exitFail
	}
	return exitOK
}

func printVerify(w io.Writer, rep *parity.Report) {
	for _, p := range rep.PolicyDiffs {
		fmt.Fprintf(w, "POLICY read differently: %s\n", p)
	}
	for _, d := range rep.Diffs {
		def := ""
		if d.Definition != (enforcer.Definition{}) {
			def = " (definition " + d.Definition.String() + ")"
		}
		fmt.Fprintf(w, "DIFF %s%s: %s\n", d.Kind, def, shortValues(d.Request))
		fmt.Fprintf(w, "    warden: %s\n", outcomeText(d.Warden))
		fmt.Fprintf(w, "    casbin: %s\n", outcomeText(d.Casbin))
	}
	asked := ""
	if len(rep.Definitions) > 0 {
		names := make([]string, len(rep.Definitions))
		for i, d := range rep.Definitions {
			names[i] = d.String()
		}
		asked = ", definition " + names[0]
		if len(names) > 1 {
			asked = ", definitions " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
		}
	}
	counts := fmt.Sprintf("%d requests (seed %d%s): Casbin allowed %d, denied %d, failed on %d", rep.Requests, rep.Seed, asked, rep.Allowed, rep.Denied, rep.Failed)
	if rep.Equal() {
		fmt.Fprintf(w, "equal: %s; Warden decided each alike, by the same rule\n", counts)
	} else {
		fmt.Fprintf(w, "different: %s; %d requests differ, %d policy rules are read differently\n", counts, len(rep.Diffs), len(rep.PolicyDiffs))
	}
	if rep.Unevaluated > 0 {
		fmt.Fprintf(w, "note: on %d of the failures Warden decided without an error, as Casbin does without the rules that fail for the request: it never evaluates a rule that cannot match the request\n", rep.Unevaluated)
	}
	if rep.FastPath {
		fmt.Fprintln(w, "fast path: yes, Warden decides on its index")
	} else {
		fmt.Fprintf(w, "fast path: no, Casbin's own enforcer decides inside Warden (%s)\n", rep.Reason)
	}
}

func outcomeText(o parity.Outcome) string {
	if o.Err != "" {
		return "error: " + o.Err
	}
	s := verdict(o.Allowed) + ", rule: "
	if len(o.Rule) == 0 {
		s += "none"
	} else {
		s += strings.Join(o.Rule, ", ")
	}
	if len(o.Chain) > 0 {
		s += ", chain: " + strings.Join(o.Chain, " -> ")
	}
	return s
}

// shortValues renders a request for a terminal: a value of thousands of
// bytes (the harness asks them) is cut, with its length; --json has it whole.
func shortValues(vals []any) string {
	const max = 60
	parts := make([]string, len(vals))
	for i, v := range vals {
		s := formatValues([]any{v})
		if len(s) > max {
			cut := max
			for cut > 0 && (s[cut]&0xc0) == 0x80 {
				cut--
			}
			s = fmt.Sprintf("%s…(%dB)", s[:cut], len(s))
		}
		if s == "" || strings.ContainsAny(s, " \t") {
			s = fmt.Sprintf("%q", s)
		}
		parts[i] = s
	}
	return strings.Join(parts, " ")
}
