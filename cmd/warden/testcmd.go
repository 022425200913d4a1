package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wardenhq/warden/enforcer"
)

func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("test", "--model FILE --policy FILE CASES", stderr)
	modelPath := fs.String("model", "", "Casbin model `file` (required)")
	policyPath := fs.String("policy", "", "policy CSV `file` (required)")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	switch {
	case *modelPath == "":
		return errorf(stderr, "test", "--model is required")
	case *policyPath == "":
		return errorf(stderr, "test", "--policy is required")
	case len(pos) != 1:
		return errorf(stderr, "test", "want exactly one CASES file, got %d arguments", len(pos))
	}
	casesPath := pos[0]
	cases, err := readCases(casesPath)
	if err != nil {
		return errorf(stderr, "test", "%v", err)
	}
	e, err := enforcer.NewFromFiles(ctx, *modelPath, *policyPath)
	if err != nil {
		return errorf(stderr, "test", "%v", err)
	}
	failed := 0
	for _, c := range cases {
		x, err := e.Explain(ctx, enforcer.NewRequest(c.values...))
		if err != nil {
			if ctx.Err() != nil {
				return errorf(stderr, "test", "%v", ctx.Err())
			}
			failed++
			fmt.Fprintf(stdout, "FAIL %s:%d: %s: error: %v (want %s)\n", casesPath, c.line, formatValues(c.values), err, verdict(c.allow))
			continue
		}
		if x.Allowed == c.allow {
			continue
		}
		failed++
		fmt.Fprintf(stdout, "FAIL %s:%d: %s: got %s, want %s\n", casesPath, c.line, formatValues(c.values), verdict(x.Allowed), verdict(c.allow))
		for _, l := range explainLines(x) {
			fmt.Fprintf(stdout, "    %s\n", l)
		}
	}
	// Not "N passed, N failed" alone on a line: CI log readers take that
	// form for a test runner's own summary.
	fmt.Fprintf(stdout, "%d cases, %d passed, %d failed\n", len(cases), len(cases)-failed, failed)
	if failed > 0 {
		return exitFail
	}
	return exitOK
}
