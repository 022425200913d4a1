package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// Exit codes shared by all commands.
const (
	exitOK    = 0 // success; for enforce: allowed
	exitFail  = 1 // enforce: denied; test: a case failed
	exitError = 2 // bad usage, unreadable or invalid input, lint findings
)

// command is one subcommand. run gets the arguments after the command's
// name; ctx is cancelled on SIGINT or SIGTERM.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands is the dispatch table; a new subcommand is one line here plus
// its own file.
var commands = []command{
	{"enforce", "decide one request: allow or deny", runEnforce},
	{"plan", "print the SQL filter of what a caller may see", runPlan},
	{"lint", "find mistakes in a model and policy", runLint},
	{"test", "check decisions against a file of cases", runTest},
	{"verify", "compare decisions with plain Casbin's on generated requests", runVerify},
	{"token", "mint a development JWT (HS256) for trying a service", runToken},
	{"version", "print the version", runVersion},
	{"serve", "run the decision and management HTTP API", runServe},
	{"grant", "add a rule to the policy in a database (audited)", runGrant},
	{"revoke", "remove a rule from the policy in a database (audited)", runRevoke},
	{"list", "print the policy in a database", runList},
	{"audit", "print the audit log of policy changes (audit verify: check its hash chain)", runAuditLog},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args (without the program name) and
// returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitError
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) >= 2 && args[0] == "help" && !slices.ContainsFunc(args[1:], func(a string) bool { return strings.HasPrefix(a, "-") }) {
			// warden help enforce, warden help audit verify
			return run(append(slices.Clone(args[1:]), "--help"), stdout, stderr)
		}
		usage(stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "warden: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: warden COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "warden COMMAND --help" (or "warden help COMMAND") for a command's flags.`)
}

// errorf reports a command's error on stderr as "warden CMD: message".
func errorf(stderr io.Writer, cmd string, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintf(stderr, "warden %s: %s\n", cmd, strings.TrimSpace(msg))
	return exitError
}
