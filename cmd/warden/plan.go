package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter/sqlfilter"
)

// columnFlags is the repeated --column FIELD=COLUMN flag.
type columnFlags sqlfilter.Columns

func (c columnFlags) String() string { return "" }

func (c columnFlags) Set(v string) error {
	field, col, ok := strings.Cut(v, "=")
	field, col = strings.TrimSpace(field), strings.TrimSpace(col)
	if !ok || field == "" || col == "" {
		return fmt.Errorf("want FIELD=COLUMN, such as obj=path or obj.Owner=owner")
	}
	if _, dup := c[field]; dup {
		return fmt.Errorf("field %s given twice", field)
	}
	c[field] = col
	return nil
}

// planJSON is the --json output: exactly one object.
type planJSON struct {
	Kind string `json:"kind"`
	SQL  string `json:"sql"`
	Args []any  `json:"args"`
}

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("plan", "[--model FILE|NAME] [--policy FILE] --dialect sqlite|postgres|mysql --column FIELD=COLUMN... [--json] ARG...", stdout, stderr)
	fs.note("Prints the SQL filter of the values of the open field (the one ARG given as ?) that the request\n" +
		"allows. Flags come before the ARGs, so that an ARG may look like a flag. Exits 0, or 2 on an error or\n" +
		"a construct that has no exact SQL (docs/filtering.md).")
	modelPath := fs.String("model", defaultModelPath, modelUsage("Casbin model"))
	policyPath := fs.String("policy", defaultPolicyPath, "policy CSV `file`")
	dialect := fs.String("dialect", "", "SQL `dialect`: sqlite, postgres or mysql (required)")
	cols := columnFlags{}
	fs.Var(cols, "column", "`FIELD=COLUMN`: the column holding a request field (obj, or obj.Owner for an attribute); repeat for each")
	asJSON := fs.Bool("json", false, `print {"kind", "sql", "args"} as one JSON object`)
	// Flags come before the ARGs, so that an ARG may look like a flag.
	pos, code := parseLeading(fs, args)
	if code >= 0 {
		return code
	}
	switch {
	case *dialect == "":
		return errorf(stderr, "plan", "--dialect is required")
	case len(pos) == 0:
		return errorf(stderr, "plan", "no request: give the model's request fields with ? for the open one, e.g. alice ? read")
	}
	d, err := sqlfilter.ParseDialect(*dialect)
	if err != nil {
		return errorf(stderr, "plan", "%v", err)
	}
	vals := make([]any, len(pos))
	open := 0
	for i, a := range pos {
		if a == "?" {
			vals[i] = enforcer.Unknown{}
			open++
			continue
		}
		if vals[i], err = requestValue(a); err != nil {
			return errorf(stderr, "plan", "argument %d: %v", i+1, err)
		}
	}
	if open != 1 {
		return errorf(stderr, "plan", "exactly one ARG must be ? (the open field), got %d", open)
	}
	e, err := openPolicy(ctx, "plan", *modelPath, *policyPath, fs.given("policy"), stderr)
	if err != nil {
		return errorf(stderr, "plan", "%v", err)
	}
	p, err := e.Plan(ctx, enforcer.NewRequest(vals...))
	if err != nil {
		return errorf(stderr, "plan", "%v", err)
	}
	w, err := sqlfilter.Translate(p, d, sqlfilter.Columns(cols))
	if err != nil {
		return errorf(stderr, "plan", "%v", err)
	}
	if w.Args == nil {
		w.Args = []any{}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(planJSON{Kind: p.Kind.String(), SQL: w.SQL, Args: w.Args}); err != nil {
			return errorf(stderr, "plan", "%v", err)
		}
		return exitOK
	}
	b, _ := json.Marshal(w.Args)
	fmt.Fprintf(stdout, "kind: %s\nsql: %s\nargs: %s\n", p.Kind, w.SQL, b)
	return exitOK
}
