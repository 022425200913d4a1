package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// announceFlags say where a change is announced to the running servers;
// policyFlags which policy a command reads, with which model.
var (
	announceFlags = []string{"--channel", "--redis-watcher"}
	policyFlags   = []string{"--model", "--scope"}
)

// adminCommand is an admin command and, for the read-only ones, its flags
// and the stdout (substring) of a run on the database adminCommands made.
type adminCommand struct {
	cmd       []string
	announces bool // it has announceFlags
	policy    bool // it has policyFlags
	flags     []string
	stdout    string
}

// adminCommands grants one rule in a new SQLite database and returns the
// admin commands: grant and revoke announce a change; list, audit and
// audit verify only read.
func adminCommands(t *testing.T) []adminCommand {
	t.Helper()
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "warden.db")
	var out, errb bytes.Buffer
	if code := run([]string{"grant", "--db", dsn, "--model", confModel, "g", "yan", "viewer"}, &out, &errb); code != exitOK {
		t.Fatalf("grant: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	return []adminCommand{
		{cmd: []string{"grant"}, announces: true, policy: true},
		{cmd: []string{"revoke"}, announces: true, policy: true},
		{cmd: []string{"list"}, policy: true, flags: []string{"--db", dsn, "--model", confModel}, stdout: "g, yan, viewer\n"},
		{cmd: []string{"audit"}, flags: []string{"--db", dsn}, stdout: `"action":"grant"`},
		{cmd: []string{"audit", "verify"}, flags: []string{"--db", dsn}, stdout: "ok audit_log: 1 entries"},
	}
}

// TestHelpShowsAnnounceFlagsOnlyForChanges: grant's and revoke's help
// shows --channel and --redis-watcher; list's, audit's and audit verify's,
// which announce nothing, shows neither, nor calls --scope a policy "to
// change". Those of audit and audit verify, which read no policy, show no
// --model or --scope either.
func TestHelpShowsAnnounceFlagsOnlyForChanges(t *testing.T) {
	for _, c := range adminCommands(t) {
		name := strings.Join(c.cmd, " ")
		var help bytes.Buffer
		if code := run(append(append([]string{}, c.cmd...), "-h"), &help, &help); code != exitOK {
			t.Fatalf("warden %s -h: exit %d:\n%s", name, code, help.String())
		}
		for flags, has := range map[*[]string]bool{&announceFlags: c.announces, &policyFlags: c.policy} {
			for _, flag := range *flags {
				if shown := strings.Contains(help.String(), "\n  "+flag+" "); shown != has {
					t.Errorf("warden %s -h shows %s: %v, want %v:\n%s", name, flag, shown, has, help.String())
				}
			}
		}
		if !c.announces && strings.Contains(help.String(), "to change") {
			t.Errorf("warden %s -h speaks of a change:\n%s", name, help.String())
		}
	}
}

// TestReadOnlyCommandsRefuseAnnounceFlags: list, audit and audit verify
// given --channel or --redis-watcher, and audit and audit verify given
// --model or --scope, fail as for any unknown flag: exit 2, the flag
// package's line and the usage on stderr, nothing on stdout.
func TestReadOnlyCommandsRefuseAnnounceFlags(t *testing.T) {
	for _, c := range adminCommands(t) {
		var refused [][]string
		if !c.announces {
			refused = append(refused, []string{"--channel", "x"}, []string{"--redis-watcher", "127.0.0.1:1"})
		}
		if !c.policy {
			refused = append(refused, []string{"--model", confModel}, []string{"--scope", "admin"})
		}
		for _, given := range refused {
			var stdout, stderr bytes.Buffer
			args := append(append(append([]string{}, c.cmd...), c.flags...), given...)
			code := run(args, &stdout, &stderr)
			undefined := "flag provided but not defined: -" + strings.TrimPrefix(given[0], "--") + "\n"
			if code != exitError || stdout.Len() > 0 || !strings.HasPrefix(stderr.String(), undefined) ||
				!strings.Contains(stderr.String(), "\nUsage: warden "+strings.Join(c.cmd, " ")+" ") {
				t.Errorf("warden %q: exit %d, stdout %q, stderr %q; want exit 2 and %q with the usage on stderr",
					args, code, stdout.String(), stderr.String(), undefined)
			}
		}
	}
}

// TestReadOnlyCommandsIgnoreAnnounceEnv: a deployment's WARDEN_CHANNEL and
// WARDEN_REDIS_WATCHER, which grant and revoke read, leave list, audit and
// audit verify working (they are no flags of theirs to set), and so does
// WARDEN_MODEL audit and audit verify.
func TestReadOnlyCommandsIgnoreAnnounceEnv(t *testing.T) {
	cmds := adminCommands(t)
	t.Setenv("WARDEN_CHANNEL", "x")
	t.Setenv("WARDEN_REDIS_WATCHER", "127.0.0.1:1")
	t.Setenv("WARDEN_MODEL", confModel)
	for _, c := range cmds {
		if c.announces {
			continue
		}
		var stdout, stderr bytes.Buffer
		args := append(append([]string{}, c.cmd...), c.flags...)
		if code := run(args, &stdout, &stderr); code != exitOK || !strings.Contains(stdout.String(), c.stdout) || stderr.Len() > 0 {
			t.Errorf("warden %q with WARDEN_CHANNEL, WARDEN_REDIS_WATCHER and WARDEN_MODEL set: exit %d, stdout %q, stderr %q; want exit 0, stdout ~%q",
				args, code, stdout.String(), stderr.String(), c.stdout)
		}
	}
}
