package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestHelpGoesToStdout: -h and --help are answers, not errors: every
// command prints its usage on stdout and exits 0, with its flags written
// --name as the README writes them; `warden help CMD` is the same text.
func TestHelpGoesToStdout(t *testing.T) {
	cmds := [][]string{{"audit", "verify"}}
	for _, c := range commands {
		cmds = append(cmds, []string{c.name})
	}
	singleDash := regexp.MustCompile(`(?m)^\s+-[a-z]`)
	for _, cmd := range cmds {
		for _, h := range []string{"-h", "--help"} {
			var stdout, stderr bytes.Buffer
			code := run(append(append([]string{}, cmd...), h), &stdout, &stderr)
			name := strings.Join(cmd, " ")
			out := stdout.String()
			switch {
			case code != 0 || stderr.Len() > 0:
				t.Errorf("warden %s %s: exit %d, stderr %q; want exit 0 and nothing on stderr", name, h, code, stderr.String())
			case !strings.HasPrefix(out, "Usage: warden "+name+" ") || !strings.Contains(out, "\nFlags:\n  --"):
				t.Errorf("warden %s %s: stdout is not its usage:\n%s", name, h, out)
			case singleDash.MatchString(out):
				t.Errorf("warden %s %s shows a flag as -name, not --name:\n%s", name, h, out)
			}
		}
	}
	var viaHelp, viaFlag bytes.Buffer
	if code := run([]string{"help", "enforce"}, &viaHelp, &viaHelp); code != 0 || viaHelp.String() == "" {
		t.Fatalf("warden help enforce: exit %d", code)
	}
	run([]string{"enforce", "--help"}, &viaFlag, &viaFlag)
	if viaHelp.String() != viaFlag.String() {
		t.Errorf("warden help enforce differs from warden enforce --help:\n%s\n---\n%s", viaHelp.String(), viaFlag.String())
	}
	// A subcommand's own subcommand too: before, the general usage.
	viaHelp.Reset()
	viaFlag.Reset()
	if code := run([]string{"help", "audit", "verify"}, &viaHelp, &viaHelp); code != 0 {
		t.Fatalf("warden help audit verify: exit %d", code)
	}
	run([]string{"audit", "verify", "--help"}, &viaFlag, &viaFlag)
	if viaHelp.String() != viaFlag.String() || !strings.HasPrefix(viaHelp.String(), "Usage: warden audit verify ") {
		t.Errorf("warden help audit verify differs from warden audit verify --help:\n%s\n---\n%s", viaHelp.String(), viaFlag.String())
	}
	// The usage says which embedded models --model accepts.
	for _, cmd := range []string{"enforce", "test", "lint", "plan", "serve", "grant", "list"} {
		var out bytes.Buffer
		run([]string{cmd, "--help"}, &out, &out)
		if !strings.Contains(out.String(), "default, abac, permissions, rbac, rbac_deny, rbac_domains, restful") {
			t.Errorf("%s --help does not name the embedded models:\n%s", cmd, out.String())
		}
	}
}

// TestUsageErrorsGoToStderr: a usage error is an error: the message and the
// usage on stderr, nothing on stdout, exit 2.
func TestUsageErrorsGoToStderr(t *testing.T) {
	for _, args := range [][]string{{"enforce", "--modle", "x"}, {"list", "--ptype"}, {"plan", "--bogus"}, {"serve", "--nope"}} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		if code != 2 || stdout.Len() > 0 || !strings.Contains(stderr.String(), "Usage: warden "+args[0]) {
			t.Errorf("warden %q: exit %d, stdout %q, stderr %q; want exit 2 and the usage on stderr only", args, code, stdout.String(), stderr.String())
		}
	}
}

// TestHelpShowsNoSecret: a flag that defaults to an environment variable
// names the variable in its usage, never its value: WARDEN_JWT_SECRET is a
// secret and WARDEN_DB may carry a password.
func TestHelpShowsNoSecret(t *testing.T) {
	t.Setenv("WARDEN_JWT_SECRET", "s3cret-s3cret-s3cret-s3cret-s3cret")
	t.Setenv("WARDEN_DB", "postgres://warden:pa55word@db.internal/warden")
	for _, cmd := range []string{"token", "grant", "revoke", "list", "audit", "serve"} {
		var out bytes.Buffer
		run([]string{cmd, "--help"}, &out, &out)
		for _, secret := range []string{"s3cret", "pa55word"} {
			if strings.Contains(out.String(), secret) {
				t.Errorf("warden %s --help shows %q:\n%s", cmd, secret, out.String())
			}
		}
		if !strings.Contains(out.String(), "WARDEN_") {
			t.Errorf("warden %s --help names no variable:\n%s", cmd, out.String())
		}
	}
}
