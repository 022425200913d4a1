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
	fs.note("Without --policy it checks conf/policy.csv with the default model (conf/model.conf, or their embedded\n" +
		"copies when they are not in the working directory), as enforce chooses it; with any other model only the\n" +
		"model, unless --policy is given.")
	policyPath := fs.String("policy", "", "policy CSV `file` to check against the model (see above for the default)")
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
	policy, policyName := *policyPath, *policyPath
	if !fs.given("policy") {
		var note string
		var done func()
		if policy, policyName, note, done, err = lintPolicy(cm); err != nil {
			return errorf(stderr, "lint", "%v", err)
		}
		defer done()
		if note != "" {
			fmt.Fprintf(stderr, "warden lint: %s\n", note)
		}
	}
	probs, err := lint.Check(path, policy)
	if err != nil {
		return errorf(stderr, "lint", "%v", err)
	}
	for _, p := range probs {
		switch p.File {
		case path:
			p.File = cm.name // embedded:NAME, not the temporary copy
		case policy:
			p.File = policyName
		}
		fmt.Fprintln(stdout, p)
	}
	if len(probs) > 0 {
		return exitError
	}
	fmt.Fprintln(stdout, "ok")
	return exitOK
}
