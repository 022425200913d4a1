package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/casbin/casbin/v2/persist"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/pgwatcher"
	"github.com/wardenhq/warden/watcher/policysync"
)

const modelText = `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("fleet", flag.ContinueOnError)
	dsn := fs.String("db", os.Getenv("WARDEN_DB"), "PostgreSQL URL (postgres://...)")
	table := fs.String("table", "fleet_rule", "rule table")
	channel := fs.String("channel", "fleet_policy", "NOTIFY channel")
	poll := fs.Duration("poll", 2*time.Second, "poll interval of the change log: the bound on staleness when an announcement is lost")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if config.Dialect(*dsn) != "postgres" {
		return fmt.Errorf("-db must be a postgres:// URL, not %q", *dsn)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a, err := open(ctx, *dsn, *table, *channel, *poll)
	if err != nil {
		return err
	}
	defer a.close()
	b, err := open(ctx, *dsn, *table, *channel, *poll)
	if err != nil {
		return err
	}
	defer b.close()

	check := func(in *instance, name, sub string) {
		ok, err := in.e.Enforce(ctx, sub, "/docs/1", "GET")
		fmt.Fprintf(out, "%s: %s reads /docs/1: %v%s\n", name, sub, ok, errText(err))
	}
	fmt.Fprintln(out, "# A grants alice; B follows the log on A's announcement")
	rev, err := a.change(ctx, true, enforcer.P("alice", "/docs/1", "GET"))
	if err != nil {
		return err
	}
	if err := b.waitFor(ctx, rev); err != nil {
		return err
	}
	check(a, "A", "alice")
	check(b, "B", "alice")

	fmt.Fprintln(out, "# anyone who can connect forges an announcement that carries a rule")
	forged := `{"instance":"x","op":"add","ptype":"p","rules":[["mallory","/docs/1","GET"]]}`
	if err := a.db.Exec("SELECT pg_notify(?, ?)", *channel, forged).Error; err != nil {
		return err
	}
	// Announcements arrive in order: once B has followed A's next change,
	// it has handled the forged one too.
	if rev, err = a.change(ctx, true, enforcer.P("bob", "/docs/1", "GET")); err != nil {
		return err
	}
	if err := b.waitFor(ctx, rev); err != nil {
		return err
	}
	check(b, "B", "mallory")
	check(b, "B", "bob")

	fmt.Fprintln(out, "# B revokes alice; A follows")
	if rev, err = b.change(ctx, false, enforcer.P("alice", "/docs/1", "GET")); err != nil {
		return err
	}
	check(b, "B", "alice")
	if err := a.waitFor(ctx, rev); err != nil {
		return err
	}
	check(a, "A", "alice")
	// Leave the table as it was, for the next run.
	_, err = a.change(ctx, false, enforcer.P("bob", "/docs/1", "GET"))
	return err
}

func errText(err error) string {
	if err != nil {
		return " (" + err.Error() + ")"
	}
	return ""
}

// instance is one process of the application: its enforcer, the store it
// shares, and the follower that keeps it in step.
type instance struct {
	e       *enforcer.Enforcer
	db      *gorm.DB
	w       *watcher.Watcher
	read    chan struct{} // a token after every read of the log
	stopped chan struct{}
}

// open starts an instance: the store (announcing inside each transaction),
// the enforcer on it, a watcher for the announcements and a follower.
func open(ctx context.Context, dsn, table, channel string, poll time.Duration) (in *instance, err error) {
	in = &instance{read: make(chan struct{}, 1), stopped: make(chan struct{})}
	if in.db, err = config.OpenDB(dsn); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			in.close()
		}
	}()
	id := newID()
	st, err := rulelog.New(ctx, in.db, rulelog.WithTable(table), rulelog.WithNotify(channel, id))
	if err != nil {
		return nil, err
	}
	m, err := enforcer.ParseModel(modelText)
	if err != nil {
		return nil, err
	}
	if in.e, err = enforcer.New(ctx, m, st); err != nil {
		return nil, err
	}
	if in.w, err = pgwatcher.New(ctx, dsn, watcher.WithChannel(channel), watcher.WithInstanceID(id)); err != nil {
		return nil, err
	}
	f, err := policysync.New(following{in}, policysync.WithWatcher(in.w), policysync.WithInterval(poll))
	if err != nil {
		return nil, err
	}
	go func() {
		defer close(in.stopped)
		_ = f.Run(ctx)
	}()
	return in, nil
}

// change grants or revokes one rule and returns the revision the store
// committed it under. On return it is in force on this instance.
func (in *instance) change(ctx context.Context, grant bool, r enforcer.Rule) (uint64, error) {
	var err error
	if grant {
		_, err = in.e.AddRules(ctx, r)
	} else {
		_, err = in.e.RemoveRules(ctx, r)
	}
	return in.e.SyncStatus().Applied, err
}

// waitFor returns once this instance has applied revision rev.
func (in *instance) waitFor(ctx context.Context, rev uint64) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for in.e.SyncStatus().Applied < rev {
		select {
		case <-in.read:
		case <-ctx.Done():
			return fmt.Errorf("revision %d not applied: %w", rev, ctx.Err())
		}
	}
	return nil
}

func (in *instance) close() {
	if in.w != nil {
		in.w.Close()
	}
	if in.db != nil {
		if s, err := in.db.DB(); err == nil {
			_ = s.Close()
		}
	}
}

// following is the follower's target: the enforcer, telling waitFor after
// every read.
type following struct{ in *instance }

func (f following) CatchUp(ctx context.Context) error {
	err := f.in.e.CatchUp(ctx)
	select {
	case f.in.read <- struct{}{}:
	default: // a token is pending already
	}
	return err
}

func (f following) SyncStatus() enforcer.SyncStatus { return f.in.e.SyncStatus() }

// AttachFollower passes policysync's attachment on to the enforcer: the
// follower is then its one follower, and the enforcer announces through
// the watcher (which, with the store's NOTIFY inside each transaction,
// it only does for a change the store did not announce itself).
func (f following) AttachFollower(name string, w persist.Watcher) (func(), error) {
	return f.in.e.AttachFollower(name, w)
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
