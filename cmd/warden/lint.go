package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wardenhq/warden/lint"
)

func runLint(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lint", "--model FILE [--policy FILE]", stderr)
	modelPath := fs.String("model", "", "Casbin model `file` (required)")
	policyPath := fs.String("policy", "", "policy CSV `file` to check against the model")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if *modelPath == "" {
		return errorf(stderr, "lint", "--model is required")
	}
	if len(pos) > 0 {
		return errorf(stderr, "lint", "unexpected arguments %q", pos)
	}
	probs, err := lint.Check(*modelPath, *policyPath)
	if err != nil {
		return errorf(stderr, "lint", "%v", err)
	}
	for _, p := range probs {
		fmt.Fprintln(stdout, p)
	}
	if len(probs) > 0 {
		return exitError
	}
	fmt.Fprintln(stdout, "ok")
	return exitOK
}
