package main

import (
	"context"
	"fmt"
	"io"

	"github.com/wardenhq/warden/lint"
)

func runLint(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lint", "[--model FILE|NAME] [--policy FILE]", stdout, stderr)
	fs.note("Prints one FILE:LINE: message per problem and exits 2 if there is any, else prints ok.")
	modelSpec := fs.String("model", defaultModelPath, modelUsage("Casbin model"))
	policyPath := fs.String("policy", "", "policy CSV `file` to check against the model")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return errorf(stderr, "lint", "unexpected arguments %q", pos)
	}
	// Found, not parsed: a model the enforcer would refuse is what lint
	// reports on.
	cm, err := findModel(*modelSpec)
	if err != nil {
		return errorf(stderr, "lint", "%v", err)
	}
	if cm.note != "" {
		fmt.Fprintf(stderr, "warden lint: %s\n", cm.note)
	}
	path, cleanup, err := modelFile(cm)
	if err != nil {
		return errorf(stderr, "lint", "%v", err)
	}
	defer cleanup()
	probs, err := lint.Check(path, *policyPath)
	if err != nil {
		return errorf(stderr, "lint", "%v", err)
	}
	for _, p := range probs {
		if p.File == path {
			p.File = cm.name // embedded:NAME, not the temporary copy
		}
		fmt.Fprintln(stdout, p)
	}
	if len(probs) > 0 {
		return exitError
	}
	fmt.Fprintln(stdout, "ok")
	return exitOK
}
