package parity_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/parity"
)

var update = flag.Bool("update", false, "rewrite testdata/casbin_examples.md from this run")

// The inventory of Casbin's own examples: every model/policy pair that
// Casbin v2.135.0's tests load from its examples/ directory, loaded in
// Warden and compared with plain Casbin by the harness. The table in
// testdata/casbin_examples.md is the record of where each pair stands;
// a run that differs from it fails, so a regression cannot pass unseen and
// progress is written down (go test ./parity -run TestCasbinExamples
// -update).

// Floors of the counts: what Warden does today. They only ever go up.
const (
	minLoad  = 60
	minIndex = 54
)

// loadOptions are Warden options a pair is loaded with beyond the
// functions Casbin's tests register, by model file, and why.
var loadOptions = map[string][]enforcer.Option{
	// rbac_api_test.go TestGetAllowedObjectConditions: its rules hold a
	// filter's conditions ("r.obj.category_id = 2"), which no engine can
	// compile; Casbin stores them and fails the decisions that reach them,
	// Warden refuses them when written unless told to do as Casbin.
	"object_conditions_model.conf": {enforcer.WithDeferredEvalErrors()},
}

// loadOptionNames are loadOptions as the table shows them.
var loadOptionNames = map[string]string{
	"object_conditions_model.conf": "WithDeferredEvalErrors",
}

// contexts are the definitions Casbin's tests choose (EnforceContext) for
// the models with several, by model file: the pair's requests are asked
// with each, in equal shares, the default (r, p, e, m) among them.
var contexts = map[string][]enforcer.Definition{
	// enforcer_test.go TestMultiplePolicyDefinitions: NewEnforceContext("2") with EType "e".
	"multiple_policy_definitions_model.conf": {{}, {R: "r2", P: "p2", E: "e", M: "m2"}},
	// enforcer_cached_b_test.go BenchmarkCachedWithEnforceContext.
	"priority_model_enforce_context.conf": {{}, {R: "r2", P: "p", E: "e", M: "m2"}},
}

// onIndex are pairs that must decide on the index, each equal to Casbin:
// model file → policy file, as in the table.
var onIndex = map[string]string{
	"keymatch_custom_model.conf":                           "keymatch2_policy.csv",
	"rbac_with_pattern_model.conf":                         "rbac_with_pattern_policy.csv",
	"rbac_with_domain_pattern_model.conf":                  "rbac_with_domain_pattern_policy.csv",
	"rbac_with_all_pattern_model.conf":                     "rbac_with_all_pattern_policy.csv",
	"performance/rbac_with_pattern_large_scale_model.conf": "performance/rbac_with_pattern_large_scale_policy.csv",
	"priority_model.conf":                                  "priority_policy.csv",
	"priority_model_explicit.conf":                         "priority_policy_explicit.csv",
	"priority_model_explicit_customized.conf":              "priority_policy_explicit_customized.csv",
	"subject_priority_model.conf":                          "subject_priority_policy.csv",
	"subject_priority_model_with_domain.conf":              "subject_priority_policy_with_domain.csv",
	// Several definitions, chosen per decision (enforcer/defs.go).
	"priority_model_enforce_context.conf":    "priority_policy_enforce_context.csv",
	"multiple_policy_definitions_model.conf": "multiple_policy_definitions_policy.csv",
	// Conditional and temporal roles (enforcer/linkcond.go).
	"rbac_with_temporal_roles_model.conf":           "rbac_with_temporal_roles_policy.csv",
	"rbac_with_domain_temporal_roles_model.conf":    "rbac_with_domain_temporal_roles_policy.csv",
	"rbac_with_domains_conditional_model.conf":      "rbac_with_domains_conditional_policy.csv",
	"rbac_with_different_types_of_roles_model.conf": "rbac_with_different_types_of_roles_policy.csv",
}

// casbinDir is Casbin's module directory, where its tests and examples are.
func casbinDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/casbin/casbin/v2").Output()
	if err != nil {
		t.Fatalf("go list casbin: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if !strings.HasSuffix(dir, "@v2.135.0") {
		t.Fatalf("casbin module at %q: the inventory is of v2.135.0", dir)
	}
	return dir
}

// pair is one model/policy pair of Casbin's tests, with where it is first
// loaded and the functions the tests register on the enforcer that loads
// it.
type pair struct {
	Model, Policy string // relative to Casbin's directory; Policy "" for none
	At            string // file:line of the first load
	Needs         []string
	// setup is the registrations of the first load that has any.
	setup []string
}

var (
	exampleLit = regexp.MustCompile(`"(?:\.\./)?(examples/[^"]+\.(?:conf|csv))"`)
	adapterArg = regexp.MustCompile(`\.conf",\s*([A-Za-z_]\w*)`)
	register   = regexp.MustCompile(`\.(AddFunction|AddNamedMatchingFunc|AddNamedDomainMatchingFunc|AddMatchingFunc|AddDomainMatchingFunc|AddNamedLinkConditionFunc|AddNamedDomainLinkConditionFunc)\(([^()]*)\)`)
)

// scanPairs finds the pairs in Casbin's test sources. A model literal
// ("examples/x.conf") is paired with the nearest policy literal
// ("examples/y.csv") within two lines of it, in the same call or the
// adapter made just before; registrations are the calls after it, in the
// same function, before the next model literal. A model loaded without a
// policy file is a pair with none (once per model), also when other tests
// load it with one: Casbin's tests load several models alone and add their
// rules through the API. A policy file that does not exist (Casbin's tests
// of the missing-file error) is no pair. The list was checked against a
// trace of Casbin's own test run (its InitWithModelAndAdapter logging the
// model file and the file adapter's path): every pair of files the run
// loads is here; models built in code (model.AddDef) are not Casbin's
// example pairs and are not.
func scanPairs(t *testing.T, dir string) []*pair {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, "_test.go") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	byKey := map[string]*pair{}
	var order []string
	var alone []*pair
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, f)
		lines := strings.Split(string(src), "\n")
		type lit struct {
			line int
			path string
		}
		var lits []lit
		for i, l := range lines {
			for _, m := range exampleLit.FindAllStringSubmatch(l, -1) {
				lits = append(lits, lit{i, m[1]})
			}
		}
		for k, c := range lits {
			if !strings.HasSuffix(c.path, ".conf") {
				continue
			}
			policy, best := "", 3
			for _, p := range lits {
				if d := abs(p.line - c.line); strings.HasSuffix(p.path, ".csv") && (d < best || d == best && p.line > c.line) {
					policy, best = p.path, d
				}
			}
			// The registrations that follow, up to the next model or the
			// end of the function.
			end := len(lines)
			for _, n := range lits[k+1:] {
				if strings.HasSuffix(n.path, ".conf") {
					end = n.line
					break
				}
			}
			var regs []string
			for i := c.line; i < end; i++ {
				if i > c.line && strings.HasPrefix(lines[i], "func ") {
					break
				}
				for _, m := range register.FindAllStringSubmatch(lines[i], -1) {
					regs = append(regs, registration(m[1], m[2]))
				}
			}
			if policy != "" {
				if _, err := os.Stat(filepath.Join(dir, policy)); err != nil {
					continue
				}
			}
			if m := adapterArg.FindStringSubmatch(lines[c.line]); policy == "" && m != nil && m[1] != "true" && m[1] != "false" {
				// NewEnforcer("examples/x.conf", adapter): the rules come
				// from an adapter made further away, not from no file.
				continue
			}
			key := c.path + " " + policy
			p := byKey[key]
			if p == nil {
				p = &pair{Model: c.path, Policy: policy, At: fmt.Sprintf("%s:%d", rel, c.line+1)}
				if policy == "" {
					alone = append(alone, p)
				} else {
					byKey[key] = p
					order = append(order, key)
				}
			}
			for _, r := range regs {
				if !slices.Contains(p.Needs, r) {
					p.Needs = append(p.Needs, r)
				}
			}
			if p.setup == nil && len(regs) > 0 {
				p.setup = regs
			}
		}
	}
	var out []*pair
	for _, k := range order {
		out = append(out, byKey[k])
	}
	seen := map[string]bool{}
	for _, p := range alone {
		if !seen[p.Model] {
			seen[p.Model] = true
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Model != out[j].Model {
			return out[i].Model < out[j].Model
		}
		return out[i].Policy < out[j].Policy
	})
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// registration names a call by its method, its role definition and the
// function it registers: AddNamedMatchingFunc(g2, util.KeyMatch2).
func registration(method, args string) string {
	parts := strings.Split(args, ",")
	for i := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(parts[i]), `"`)
	}
	fn := parts[len(parts)-1]
	switch method {
	case "AddFunction":
		return fmt.Sprintf("%s(%s, %s)", method, parts[0], fn)
	case "AddMatchingFunc", "AddDomainMatchingFunc":
		return fmt.Sprintf("%s(%s)", method, fn)
	}
	return fmt.Sprintf("%s(%s, %s)", method, parts[0], fn)
}

// casbinFunctions are the functions of Casbin's tests, for registering
// them as those tests do on the Casbin side of a comparison.
var matchingFuncs = map[string]func(string, string) bool{
	"util.KeyMatch": util.KeyMatch, "util.KeyMatch2": util.KeyMatch2, "util.KeyMatch3": util.KeyMatch3, "util.KeyMatch4": util.KeyMatch4,
}

// customFunction is Casbin's model_test.go CustomFunctionWrapper.
func customFunction(args ...any) (any, error) {
	k1, _ := args[0].(string)
	k2, _ := args[1].(string)
	return k1 == "/alice_data2/myid/using/res_id" && (k2 == "/alice_data/:resource" || k2 == "/alice_data2/:id/using/:resId"), nil
}

var registrationRE = regexp.MustCompile(`^(\w+)\((?:([^,]+), )?([^,]+)\)$`)

// setupCasbin registers regs on c as Casbin's tests do; link conditions on
// every link of the role definition. It fails on a function it does not
// know, so that the table never claims a comparison it did not make.
func setupCasbin(regs []string) func(*casbin.Enforcer) error {
	return func(c *casbin.Enforcer) error {
		for _, r := range regs {
			m := registrationRE.FindStringSubmatch(r)
			if m == nil {
				return fmt.Errorf("registration %q not understood", r)
			}
			method, ptype, fn := m[1], m[2], m[3]
			switch method {
			case "AddFunction":
				if fn != "CustomFunctionWrapper" {
					return fmt.Errorf("function %s unknown", fn)
				}
				c.AddFunction(ptype, customFunction)
				continue
			case "AddNamedLinkConditionFunc", "AddNamedDomainLinkConditionFunc":
				if g := c.GetModel()["g"][ptype]; fn != "util.TimeMatchFunc" && g != nil && len(g.Policy) == 0 {
					// A test's own condition (TrueFunc), registered on links
					// the test adds later: a policy without links has
					// nothing to register it on.
					continue
				}
				if fn != "util.TimeMatchFunc" {
					return fmt.Errorf("link condition %s unknown", fn)
				}
				for _, l := range c.GetModel()["g"][ptype].Policy {
					if method == "AddNamedLinkConditionFunc" {
						c.AddNamedLinkConditionFunc(ptype, l[0], l[1], util.TimeMatchFunc)
					} else if len(l) > 2 {
						c.AddNamedDomainLinkConditionFunc(ptype, l[0], l[1], l[2], util.TimeMatchFunc)
					}
				}
				continue
			}
			f := matchingFuncs[fn]
			if f == nil {
				return fmt.Errorf("matching function %s unknown", fn)
			}
			switch method {
			case "AddNamedMatchingFunc":
				c.AddNamedMatchingFunc(ptype, "", f)
			case "AddNamedDomainMatchingFunc":
				c.AddNamedDomainMatchingFunc(ptype, "", f)
			case "AddMatchingFunc":
				c.AddNamedMatchingFunc("g", "", f)
			case "AddDomainMatchingFunc":
				c.AddNamedDomainMatchingFunc("g", "", f)
			}
		}
		return c.BuildRoleLinks()
	}
}

// wardenOptions registers regs in Warden as setupCasbin does in Casbin,
// or reports that Warden has no option for one of them.
// A matching function registered twice for a role definition replaces the
// first, in Casbin; Warden takes one, the last.
func wardenOptions(regs []string) ([]enforcer.Option, bool) {
	var out []enforcer.Option
	roleFuncs := map[string]enforcer.Option{}
	var order []string
	for _, r := range regs {
		m := registrationRE.FindStringSubmatch(r)
		if m == nil {
			return nil, false
		}
		method, name, fn := m[1], m[2], m[3]
		f := matchingFuncs[fn]
		switch {
		case method == "AddFunction" && fn == "CustomFunctionWrapper":
			out = append(out, enforcer.WithFunction(name, customFunction))
			continue
		case (method == "AddNamedLinkConditionFunc" || method == "AddNamedDomainLinkConditionFunc") && fn == "util.TimeMatchFunc":
			// Casbin's tests register it on every link of the definition.
			out = append(out, enforcer.WithLinkCondition(name, "TimeMatchFunc", util.TimeMatchFunc))
			continue
		case f == nil:
			return nil, false
		case method == "AddMatchingFunc" || method == "AddDomainMatchingFunc":
			name = "g"
		}
		key := name
		var o enforcer.Option
		switch method {
		case "AddNamedMatchingFunc", "AddMatchingFunc":
			o = enforcer.WithMatchingFunction(name, "", f)
		case "AddNamedDomainMatchingFunc", "AddDomainMatchingFunc":
			key += " domain"
			o = enforcer.WithDomainMatchingFunction(name, "", f)
		default:
			return nil, false // link conditions
		}
		if _, ok := roleFuncs[key]; !ok {
			order = append(order, key)
		}
		roleFuncs[key] = o
	}
	for _, k := range order {
		out = append(out, roleFuncs[k])
	}
	return out, true
}

// status is one row of the inventory.
type status struct {
	pair       *pair
	casbin     string // "loads" or "refuses"
	warden     string // "loads" or "refuses"
	index      string // "yes", "no" or "-"
	equal      string // "yes", "no (N differ)" or "-"
	withFuncs  string // with Casbin's registrations: "yes", "no (N differ)", "-"
	options    string // Warden's options beyond the registrations (loadOptions), or "-"
	counts     string // Casbin's allowed/denied/failed
	reason     string // FastPath's reason or Warden's refusal, first line
	firstDiffs []parity.Diff
}

const inventoryRequests = 600

func inventory(t *testing.T, dir string, p *pair) status {
	t.Helper()
	ctx := context.Background()
	st := status{pair: p, casbin: "loads", warden: "loads", index: "-", equal: "-", withFuncs: "-", counts: "-", options: "-"}
	modelFile := filepath.Join(dir, p.Model)
	policyFile := filepath.Join(dir, p.Policy)
	if p.Policy == "" {
		// An empty policy file: the model alone, as Casbin's tests load it.
		policyFile = filepath.Join(t.TempDir(), "empty.csv")
		if err := os.WriteFile(policyFile, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	clean := func(s string) string {
		s = strings.ReplaceAll(s, dir+string(filepath.Separator), "")
		s = strings.ReplaceAll(s, filepath.Dir(policyFile)+string(filepath.Separator), "")
		s, _, _ = strings.Cut(s, "\n")
		return strings.ReplaceAll(s, "|", `\|`)
	}
	cfg := parity.Config{ModelFile: modelFile, PolicyFile: policyFile, Requests: inventoryRequests, Seed: 1,
		Definitions: contexts[strings.TrimPrefix(p.Model, "examples/")]}
	// The functions Casbin's test registers, on both sides when Warden
	// has an option for each.
	both := false
	if opts, ok := wardenOptions(p.setup); ok && len(p.setup) > 0 {
		cfg.Options, cfg.SetupCasbin, both = opts, setupCasbin(p.setup), true
		st.withFuncs = "both"
	}
	if opts := loadOptions[strings.TrimPrefix(p.Model, "examples/")]; len(opts) > 0 {
		cfg.Options = append(cfg.Options, opts...)
		st.options = loadOptionNames[strings.TrimPrefix(p.Model, "examples/")]
	}
	rep, err := parity.Run(ctx, cfg)
	var le *parity.LoadError
	switch {
	case errors.As(err, &le) && le.Side == parity.Casbin:
		st.casbin, st.warden, st.reason = "refuses", "-", clean(le.Err.Error())
		// What Casbin refuses, Warden must refuse too.
		if _, err := parity.Run(ctx, parity.Config{ModelFile: modelFile, PolicyFile: policyFile, Requests: 1}); err == nil {
			t.Errorf("%s: Casbin refuses, Warden does not", p.Model)
		}
		return st
	case errors.As(err, &le):
		// parity.Run loads Warden first: whether Casbin loads the pair is
		// asked here.
		st.warden, st.reason = "refuses", clean(le.Err.Error())
		if err := casbinLoads(modelFile, policyFile, cfg.SetupCasbin); err != nil {
			st.casbin = "refuses"
		}
		return st
	case err != nil:
		t.Fatalf("%s %s: %v", p.Model, p.Policy, err)
	}
	st.index = yesNo(rep.FastPath)
	st.reason = clean(rep.Reason)
	st.equal = equalness(rep)
	st.counts = fmt.Sprintf("%d/%d/%d", rep.Allowed, rep.Denied, rep.Failed)
	st.firstDiffs = firstDiffs(rep)
	if len(p.setup) > 0 && !both {
		cfg.SetupCasbin = setupCasbin(p.setup)
		rep, err := parity.Run(ctx, cfg)
		if err != nil {
			t.Fatalf("%s with %v: %v", p.Model, p.setup, err)
		}
		st.withFuncs = equalness(rep)
	}
	return st
}

// casbinLoads is whether plain Casbin loads the pair, with its panics
// (on some malformed files) an error.
func casbinLoads(modelFile, policyFile string, setup func(*casbin.Enforcer) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	c, err := casbin.NewEnforcer(modelFile, policyFile)
	if err == nil && setup != nil {
		err = setup(c)
	}
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func equalness(rep *parity.Report) string {
	if rep.Equal() {
		return "yes"
	}
	return fmt.Sprintf("no (%d of %d differ)", len(rep.Diffs)+len(rep.PolicyDiffs), rep.Requests)
}

func firstDiffs(rep *parity.Report) []parity.Diff {
	return rep.Diffs[:min(3, len(rep.Diffs))]
}

func TestCasbinExamples(t *testing.T) {
	dir := casbinDir(t)
	pairs := scanPairs(t, dir)
	var rows []status
	for _, p := range pairs {
		rows = append(rows, inventory(t, dir, p))
	}
	var buf bytes.Buffer
	writeTable(&buf, rows)
	golden := filepath.Join("testdata", "casbin_examples.md")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		t.Errorf("the inventory differs from %s (run with -update after checking the diff):\n%s", golden, lineDiff(string(want), buf.String()))
	}
	loads, index := 0, 0
	for _, r := range rows {
		// What Casbin loads, Warden loads (with the options above).
		if r.casbin == "loads" && r.warden != "loads" {
			t.Errorf("%s %s: Casbin loads it, Warden refuses: %s", r.pair.Model, r.pair.Policy, r.reason)
		}
		if r.warden == "loads" {
			loads++
			// Every pair that loads decides as plain Casbin does.
			if r.equal != "yes" {
				t.Errorf("%s %s: Warden and Casbin differ: %s; first: %+v", r.pair.Model, r.pair.Policy, r.equal, r.firstDiffs)
			}
		}
		if r.index == "yes" {
			index++
		}
		m, p := strings.TrimPrefix(r.pair.Model, "examples/"), strings.TrimPrefix(r.pair.Policy, "examples/")
		if want, ok := onIndex[m]; ok && want == p && (r.index != "yes" || r.equal != "yes") {
			t.Errorf("%s %s: must decide on the index and equal Casbin: index %s, equal %s, why %s", m, p, r.index, r.equal, r.reason)
		}
	}
	seen := 0
	for _, r := range rows {
		if want, ok := onIndex[strings.TrimPrefix(r.pair.Model, "examples/")]; ok && want == strings.TrimPrefix(r.pair.Policy, "examples/") {
			seen++
		}
	}
	if seen != len(onIndex) {
		t.Errorf("%d of the %d pairs that must decide on the index are in the inventory", seen, len(onIndex))
	}
	t.Logf("%d pairs, %d load in Warden, %d decide on the index", len(rows), loads, index)
	if loads < minLoad || index < minIndex {
		t.Errorf("%d pairs load (at least %d before), %d decide on the index (at least %d before)", loads, minLoad, index, minIndex)
	}
}

func writeTable(buf *bytes.Buffer, rows []status) {
	loads, index, equal, casbinLoads := 0, 0, 0, 0
	for _, r := range rows {
		if r.casbin == "loads" {
			casbinLoads++
		}
		if r.warden == "loads" {
			loads++
		}
		if r.index == "yes" {
			index++
		}
		if r.equal == "yes" {
			equal++
		}
	}
	fmt.Fprintf(buf, "# Casbin v2.135.0's example pairs in Warden\n\n")
	fmt.Fprintf(buf, "Written by `go test ./parity -run TestCasbinExamples -update`; checked by the same test without -update.\n")
	fmt.Fprintf(buf, "Each pair is a model and policy that Casbin's own tests load from examples/ (first load at the file:line shown).\n")
	fmt.Fprintf(buf, "casbin/warden: whether each loads the pair; index: whether Warden decides on its index (FastPath);\n")
	fmt.Fprintf(buf, "equal: whether %d generated requests (seed 1) get the same decision and rule from both;\n", inventoryRequests)
	fmt.Fprintf(buf, "a model with several definitions is asked with those Casbin's tests choose (EnforceContext) and the default, in equal shares;\n")
	fmt.Fprintf(buf, "asked: Casbin's answers to them, allowed/denied/failed (a failure denies);\n")
	fmt.Fprintf(buf, "needs: the functions Casbin's tests register on that enforcer (the first that registers any);\n")
	fmt.Fprintf(buf, "with needs: \"both\" when Warden registers them too (enforcer.WithFunction…) and every column is of that comparison,\n")
	fmt.Fprintf(buf, "else equal against Casbin with them registered and Warden without; options: Warden's options beyond those (loadOptions);\n")
	fmt.Fprintf(buf, "why: FastPath's reason, or Warden's refusal.\n\n")
	fmt.Fprintf(buf, "%d pairs: Casbin loads %d, Warden loads %d, %d decide on the index, %d equal.\n\n", len(rows), casbinLoads, loads, index, equal)
	fmt.Fprintln(buf, "| model | policy | first load | casbin | warden | index | equal | asked | needs | with needs | options | why |")
	fmt.Fprintln(buf, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range rows {
		policy := r.pair.Policy
		if policy == "" {
			policy = "(none)"
		}
		needs := strings.Join(r.pair.Needs, "; ")
		if needs == "" {
			needs = "-"
		}
		reason := r.reason
		if reason == "" {
			reason = "-"
		}
		fmt.Fprintf(buf, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			strings.TrimPrefix(r.pair.Model, "examples/"), strings.TrimPrefix(policy, "examples/"), r.pair.At,
			r.casbin, r.warden, r.index, r.equal, r.counts, needs, r.withFuncs, r.options, reason)
	}
}

// lineDiff lists the lines of got that want lacks and the other way round.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range w {
		if !slices.Contains(g, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
