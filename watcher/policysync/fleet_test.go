package policysync_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/tcpproxy"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/pgwatcher"
	"github.com/wardenhq/warden/watcher/policysync"
	"github.com/wardenhq/warden/watcher/rediswatcher"
)

// fleet is a deployment under test: a fresh database, a channel, and how
// to reach its announcement service.
type fleet struct {
	name    string
	db      dbtest.DB
	channel string
	// hintTarget is the real host:port of the announcement service
	// (PostgreSQL itself, or Redis).
	hintTarget string
	// notifyInTx: the store sends the hint with NOTIFY in the change's
	// transaction (PostgreSQL); otherwise the enforcer announces through
	// its watcher after the commit.
	notifyInTx bool
	openHints  func(ctx context.Context, addr string, opts ...watcher.Option) (*watcher.Watcher, error)
	// forge sends payload on the channel as an outsider: an unprivileged
	// PostgreSQL role, or a plain Redis client.
	forge func(t testing.TB, payload string)
}

func withHost(raw, host string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Host = host
	return u.String()
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u.Host
}

// fleets returns the deployments this machine can run: PostgreSQL with
// LISTEN/NOTIFY, and MariaDB with Redis.
func fleets(t testing.TB) []*fleet {
	var out []*fleet
	if os.Getenv(dbtest.PostgresEnv) != "" {
		db := dbtest.Postgres(t)
		f := &fleet{name: "postgres", db: db, channel: dbtest.Unique(), hintTarget: hostOf(db.DSN), notifyInTx: true}
		f.openHints = func(ctx context.Context, addr string, opts ...watcher.Option) (*watcher.Watcher, error) {
			return pgwatcher.New(ctx, withHost(db.DSN, addr), opts...)
		}
		f.forge = unprivilegedNotify(t, db, f.channel)
		out = append(out, f)
	} else {
		t.Logf("%s is not set: PostgreSQL is not exercised", dbtest.PostgresEnv)
	}
	redisAddr := os.Getenv("WARDEN_TEST_REDIS_ADDR")
	if os.Getenv(dbtest.MySQLEnv) != "" && redisAddr != "" {
		db := dbtest.MySQL(t)
		f := &fleet{name: "mariadb+redis", db: db, channel: dbtest.Unique(), hintTarget: redisAddr}
		f.openHints = func(ctx context.Context, addr string, opts ...watcher.Option) (*watcher.Watcher, error) {
			return rediswatcher.New(ctx, addr, opts...)
		}
		f.forge = func(t testing.TB, payload string) {
			rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
			defer rdb.Close()
			if err := rdb.Publish(context.Background(), f.channel, payload).Err(); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, f)
	} else {
		t.Logf("%s or WARDEN_TEST_REDIS_ADDR is not set: MariaDB with Redis is not exercised", dbtest.MySQLEnv)
	}
	if len(out) == 0 {
		t.Skip("no database to run a fleet on")
	}
	return out
}

// unprivilegedNotify creates a role that may only connect (PUBLIC's
// default CONNECT; NOTIFY needs no privilege) and returns a function that
// sends NOTIFY as that role. It checks that the role cannot read the rules.
func unprivilegedNotify(t testing.TB, db dbtest.DB, channel string) func(testing.TB, string) {
	role := dbtest.Unique()
	if err := db.Exec("CREATE ROLE " + role + " LOGIN").Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec("DROP ROLE IF EXISTS " + role) })
	u, err := url.Parse(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	var mu sync.Mutex
	return func(t testing.TB, payload string) {
		mu.Lock()
		defer mu.Unlock()
		if _, err := conn.Exec(ctx, "SELECT count(*) FROM "+db.Name+".casbin_rule"); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Fatalf("the forging role can read the rules (%v): it is not unprivileged", err)
		}
		if _, err := conn.Exec(ctx, "SELECT pg_notify($1, $2)", channel, payload); err != nil {
			t.Fatalf("NOTIFY as %s: %v", role, err)
		}
	}
}

// node is one instance: its own pool, store, enforcer, watcher and
// follower.
type node struct {
	*enforcer.Enforcer
	w *watcher.Watcher // nil: no announcements at all
	f *policysync.Follower
}

type nodeOpts struct {
	dbAddr, hintAddr string // "" for the real ones
	noHints          bool   // no watcher: neither announces nor hears
	interval         time.Duration
	observe          func(watcher.Event)
}

const rbac = `
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

var quiet = slog.New(slog.DiscardHandler)

func (fl *fleet) node(t testing.TB, id string, o nodeOpts) *node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	dsn := fl.db.DSN
	if o.dbAddr != "" {
		dsn = withHost(dsn, o.dbAddr)
	}
	db, err := config.OpenDB(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			_ = s.Close()
		}
	})
	var sopts []rulelog.Option
	if fl.notifyInTx && !o.noHints {
		sopts = append(sopts, rulelog.WithNotify(fl.channel, id))
	}
	store, err := rulelog.New(ctx, db, append(sopts, rulelog.WithLogger(quiet))...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := enforcer.ParseModel(rbac)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, store, enforcer.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	n := &node{Enforcer: e}
	interval := o.interval
	if interval == 0 {
		interval = time.Hour // only hints, unless the test wants a poll
	}
	popts := []policysync.Option{policysync.WithInterval(interval)}
	if !o.noHints {
		addr := fl.hintTarget
		if o.hintAddr != "" {
			addr = o.hintAddr
		}
		wopts := []watcher.Option{watcher.WithChannel(fl.channel), watcher.WithInstanceID(id), watcher.WithLogger(quiet),
			watcher.WithBackoff(watcher.Backoff{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond, Multiplier: 2})}
		if o.observe != nil {
			wopts = append(wopts, watcher.WithObserver(o.observe))
		}
		w, err := fl.openHints(ctx, addr, wopts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Close)
		n.w = w
		// Hints for the follower; and, when the store does not notify in
		// its transaction, the enforcer announces through w after commit.
		popts = append(popts, policysync.WithWatcher(w))
	}
	if n.f, err = policysync.New(e, popts...); err != nil {
		t.Fatal(err)
	}
	run(t, n.f)
	return n
}

// applied waits until n has applied rev.
func (n *node) applied(t testing.TB, rev uint64) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for n.SyncStatus().Applied < rev {
		if time.Now().After(deadline) {
			t.Fatalf("revision %d not applied within %v: %+v", rev, wait, n.SyncStatus())
		}
		time.Sleep(time.Millisecond) // polling a revision, not an assertion
	}
}

func decide(t testing.TB, e *enforcer.Enforcer, sub, obj, act string) bool {
	t.Helper()
	ok, err := e.Enforce(context.Background(), sub, obj, act)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// grant adds rules on n and returns the store's revision afterwards.
func grant(t testing.TB, n *node, rules ...enforcer.Rule) uint64 {
	t.Helper()
	if _, err := n.AddRules(context.Background(), rules...); err != nil {
		t.Fatal(err)
	}
	return n.SyncStatus().Applied
}

func revoke(t testing.TB, n *node, rules ...enforcer.Rule) uint64 {
	t.Helper()
	if _, err := n.RemoveRules(context.Background(), rules...); err != nil {
		t.Fatal(err)
	}
	return n.SyncStatus().Applied
}

// Forged announcements — rules to add (an admin grant, an allow-all), a
// remove of a stored rule, garbage, an oversized payload, replayed and
// future revisions — sent by an unprivileged PostgreSQL role or a plain
// Redis client change no decision on any instance: each causes at most a
// read of the store, which says what it always said.
func TestForgedAnnouncementsChangeNoDecision(t *testing.T) {
	for _, fl := range fleets(t) {
		t.Run(fl.name, func(t *testing.T) {
			a := fl.node(t, "a", nodeOpts{})
			b := fl.node(t, "b", nodeOpts{})
			rev := grant(t, a, enforcer.P("bob", "data1", "read"), enforcer.P("reader", "data2", "read"))
			b.applied(t, rev)
			oversized := `{"instance":"x","op":"add","ptype":"g","rules":[["mallory","reader"]],"pad":"` + strings.Repeat("a", 7000) + `"}`
			forged := []string{
				`{"instance":"x","op":"add","ptype":"g","rules":[["mallory","reader"]]}`,
				`{"instance":"x","op":"add","sec":"p","ptype":"p","rules":[["mallory","data1","read"]]}`,
				`{"instance":"x","op":"remove","sec":"p","ptype":"p","rules":[["bob","data1","read"]]}`,
				`{"instance":"x","op":"save"}`,
				`}{ garbage`,
				`{"instance":"x","rev`,
				oversized,
				fmt.Sprintf(`{"instance":"a","revision":%d}`, rev-1), // replayed, claiming to be a
				fmt.Sprintf(`{"instance":"x","revision":%d}`, rev),
				`{"instance":"x","revision":18446744073709551615}`,
			}
			hintsBefore := b.f.Status().Hints
			for _, p := range forged {
				fl.forge(t, p)
			}
			// Every forged payload reached b's follower as a hint, and b read
			// the store for those that asked; then a genuine change.
			waitFor(t, func() bool { return b.f.Status().Hints >= hintsBefore+uint64(len(forged)) })
			sentinel := grant(t, a, enforcer.P("sentinel", "data9", "read"))
			b.applied(t, sentinel)
			a.applied(t, sentinel)
			for name, n := range map[string]*node{"a": a, "b": b} {
				if decide(t, n.Enforcer, "mallory", "data2", "read") || decide(t, n.Enforcer, "mallory", "data1", "read") {
					t.Errorf("%s: mallory allowed after forged announcements", name)
				}
				if !decide(t, n.Enforcer, "bob", "data1", "read") {
					t.Errorf("%s: bob's stored rule revoked by a forged announcement", name)
				}
			}
			if s := b.f.Status(); s.Skipped == 0 {
				t.Errorf("no forged hint of an applied revision was skipped: %+v", s)
			}
		})
	}
}

// poll is the interval of the tests that rely on the poll: small, so that
// they are quick; the bound they check is the interval, not a sleep.
const poll = 100 * time.Millisecond

// A lost announcement (b's subscription silently frozen: the hint never
// arrives) and a writer "killed" between its commit and its announcement
// (an instance that commits and never announces) both reach b through the
// poll: a grant, then a revoke, within the interval plus one read.
func TestUnannouncedChangesConvergeByPoll(t *testing.T) {
	for _, fl := range fleets(t) {
		t.Run(fl.name, func(t *testing.T) {
			proxy, err := tcpproxy.Start(fl.hintTarget)
			if err != nil {
				t.Fatal(err)
			}
			defer proxy.Close()
			a := fl.node(t, "a", nodeOpts{})
			b := fl.node(t, "b", nodeOpts{hintAddr: proxy.Addr(), interval: poll})
			killed := fl.node(t, "killed", nodeOpts{noHints: true}) // commits, never announces
			proxy.Freeze()                                          // b's hints are dropped from now on
			hints := b.f.Status().Hints

			for _, step := range []struct {
				name   string
				change func() uint64
				want   bool
			}{
				{"grant with the hint lost", func() uint64 { return grant(t, a, enforcer.P("alice", "data1", "read")) }, true},
				{"revoke with the hint lost", func() uint64 { return revoke(t, a, enforcer.P("alice", "data1", "read")) }, false},
				{"grant never announced", func() uint64 { return grant(t, killed, enforcer.P("carol", "data1", "read")) }, true},
				{"revoke never announced", func() uint64 { return revoke(t, killed, enforcer.P("carol", "data1", "read")) }, false},
			} {
				start := time.Now()
				rev := step.change()
				b.applied(t, rev)
				took := time.Since(start)
				sub := map[bool]string{true: "alice", false: "carol"}[strings.Contains(step.name, "lost")]
				if got := decide(t, b.Enforcer, sub, "data1", "read"); got != step.want {
					t.Fatalf("%s: b decides %v; want %v", step.name, got, step.want)
				}
				t.Logf("%s: applied on b after %v (interval %v)", step.name, took, poll)
			}
			if got := b.f.Status().Hints; got != hints {
				t.Fatalf("b received %d hints through the frozen subscription; the test did not lose them", got-hints)
			}
		})
	}
}

// A cut subscription: b's watcher reports it down (readiness check and
// warden_watcher_connected), b still converges through the poll, and
// after the cut heals both recover.
func TestCutSubscription(t *testing.T) {
	for _, fl := range fleets(t) {
		t.Run(fl.name, func(t *testing.T) {
			proxy, err := tcpproxy.Start(fl.hintTarget)
			if err != nil {
				t.Fatal(err)
			}
			defer proxy.Close()
			events := make(chan watcher.EventKind, 64)
			a := fl.node(t, "a", nodeOpts{})
			b := fl.node(t, "b", nodeOpts{hintAddr: proxy.Addr(), interval: poll, observe: func(ev watcher.Event) {
				select {
				case events <- ev.Kind:
				default:
				}
			}})
			ctx := context.Background()
			if err := b.f.Subscribed(ctx); err != nil {
				t.Fatalf("Subscribed before the cut: %v", err)
			}
			proxy.Cut()
			waitEvent(t, events, watcher.EventDisconnected)
			if err := b.f.Subscribed(ctx); err == nil {
				t.Fatal("Subscribed passes with the subscription cut")
			}
			if s := b.f.Status(); s.Subscribed || !s.Watching {
				t.Fatalf("status %+v; want watching and not subscribed", s)
			}
			rev := grant(t, a, enforcer.P("dave", "data1", "read"))
			b.applied(t, rev) // through the poll: the database is not cut
			if !decide(t, b.Enforcer, "dave", "data1", "read") {
				t.Fatal("b does not allow dave after polling")
			}
			if err := b.f.Ready(ctx); err != nil {
				t.Fatalf("Ready with the store readable: %v", err)
			}
			if err := proxy.Restore(); err != nil {
				t.Fatal(err)
			}
			waitEvent(t, events, watcher.EventReconnected)
			if err := b.f.Subscribed(ctx); err != nil {
				t.Fatalf("Subscribed after the reconnection: %v", err)
			}
		})
	}
}

func waitEvent(t testing.TB, events <-chan watcher.EventKind, kind watcher.EventKind) {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case k := <-events:
			if k == kind {
				return
			}
		case <-deadline:
			t.Fatalf("no %v event within %v", kind, wait)
		}
	}
}
