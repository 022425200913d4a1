package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wardenhq/warden/enforcer"
)

func runEnforce(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("enforce", "--model FILE --policy FILE [--explain] ARG...", stderr)
	modelPath := fs.String("model", "", "Casbin model `file` (required)")
	policyPath := fs.String("policy", "", "policy CSV `file` (required)")
	explain := fs.Bool("explain", false, "also print the deciding rule and the role chain")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	switch {
	case *modelPath == "":
		return errorf(stderr, "enforce", "--model is required")
	case *policyPath == "":
		return errorf(stderr, "enforce", "--policy is required")
	case len(pos) == 0:
		return errorf(stderr, "enforce", "no request: give the model's request fields, e.g. alice /posts GET")
	}
	vals, err := requestValues(pos)
	if err != nil {
		return errorf(stderr, "enforce", "%v", err)
	}
	e, err := enforcer.NewFromFiles(ctx, *modelPath, *policyPath)
	if err != nil {
		return errorf(stderr, "enforce", "%v", err)
	}
	x, err := e.Explain(ctx, enforcer.NewRequest(vals...))
	if err != nil {
		// Fail closed: no verdict is printed when the decision failed.
		return errorf(stderr, "enforce", "%v", err)
	}
	fmt.Fprintln(stdout, verdict(x.Allowed))
	if *explain {
		for _, l := range explainLines(x) {
			fmt.Fprintln(stdout, l)
		}
	}
	if x.Allowed {
		return exitOK
	}
	return exitFail
}
