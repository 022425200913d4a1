package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// flagSet is a subcommand's flags and where its usage goes: asked for with
// -h or --help, the usage is the answer, on stdout with exit 0; after a
// usage error it explains the error, on stderr with exit 2. Flags are
// shown as --name, as the README and the docs write them (the flag package
// accepts -name and --name alike).
type flagSet struct {
	*flag.FlagSet
	name, args string
	notes      []string
	env        map[string]string // flag name -> environment variable
	stdout     io.Writer
}

// newFlagSet returns the flag set of the subcommand name, whose positional
// arguments argsUsage describes.
func newFlagSet(name, argsUsage string, stdout, stderr io.Writer) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet("warden "+name, flag.ContinueOnError), name: name, args: argsUsage,
		env: map[string]string{}, stdout: stdout}
	fs.SetOutput(stderr) // the flag package's own "flag provided but not defined" line
	// parseFlags prints the usage, once it knows whether it was asked for.
	fs.Usage = func() {}
	return fs
}

// given reports whether the flag name was set on the command line (or
// from its environment variable), not left at its default.
func (fs *flagSet) given(name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// note adds a paragraph printed between the usage line and the flags.
func (fs *flagSet) note(text string) { fs.notes = append(fs.notes, text) }

// fromEnv makes the flag name default to the environment variable v when
// the command line does not give it. The usage names the variable but
// never shows its value: it may be a secret or a DSN with a password.
func (fs *flagSet) fromEnv(name, v string) { fs.env[name] = v }

// usage writes the command's usage to w.
func (fs *flagSet) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: warden %s %s\n", fs.name, fs.args)
	for _, n := range fs.notes {
		fmt.Fprintf(w, "\n%s\n", n)
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " " + arg
		}
		text = strings.ReplaceAll(text, "\n", "\n    \t")
		if v, ok := fs.env[f.Name]; ok {
			text += " (" + v + ")"
		}
		if !zeroDefault(f) {
			if _, isString := f.Value.(flag.Getter).Get().(string); isString {
				text += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				text += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		fmt.Fprintf(w, "%s\n    \t%s\n", line, text)
	})
}

// zeroDefault reports whether f's default is not worth showing.
func zeroDefault(f *flag.Flag) bool {
	if _, ok := f.Value.(flag.Getter); !ok {
		return true // a flag.Func or a custom Value: its usage says it
	}
	switch f.DefValue {
	case "", "false", "0", "0s", "[]":
		return true
	}
	return false
}

// parseFlags parses flags that may appear before, between or after the
// positional arguments (the standard flag package stops at the first
// positional one), so `warden enforce alice /posts GET --explain` works.
// "--" ends flag parsing. It returns the positional arguments and the exit
// code to use when the command must stop (-1 when it goes on): 0 after
// printing the usage asked for with -h, 2 after a usage error.
func parseFlags(fs *flagSet, args []string) (positional []string, code int) {
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fs.failed(err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		// fs.Parse consumed a "--" if the argument before rest was one.
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	if err := fs.applyEnv(); err != nil {
		fmt.Fprintln(fs.Output(), err)
		return nil, exitError
	}
	return positional, -1
}

// parseLeading parses flags up to the first positional argument only, for
// commands whose arguments may look like flags.
func parseLeading(fs *flagSet, args []string) (positional []string, code int) {
	if err := fs.Parse(args); err != nil {
		return nil, fs.failed(err)
	}
	if err := fs.applyEnv(); err != nil {
		fmt.Fprintln(fs.Output(), err)
		return nil, exitError
	}
	return fs.Args(), -1
}

// failed prints the usage for a parse error and returns the exit code.
func (fs *flagSet) failed(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		fs.usage(fs.stdout)
		return exitOK
	}
	fmt.Fprintln(fs.Output())
	fs.usage(fs.Output())
	return exitError
}

// applyEnv sets, from the environment, each fromEnv flag the command line
// did not give.
func (fs *flagSet) applyEnv() error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, name := range slices.Sorted(maps.Keys(fs.env)) {
		v := fs.env[name]
		val := os.Getenv(v)
		if given[name] || val == "" {
			continue
		}
		if err := fs.Set(name, val); err != nil {
			return fmt.Errorf("warden %s: %s: %v", fs.name, v, err)
		}
	}
	return nil
}
