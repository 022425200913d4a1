package watcher_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/tcpproxy"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/internal/watchertest"
	"github.com/wardenhq/warden/watcher/pgwatcher"
	"github.com/wardenhq/warden/watcher/policysync"
	"github.com/wardenhq/warden/watcher/rediswatcher"
)

const rbacModel = `
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

// transport opens a watcher for one instance; addrs maps a service's real
// host:port to the one this instance must use (a proxy, to cut it off).
type transport struct {
	name string
	// target is the real address of the watcher's service.
	target string
	open   func(ctx context.Context, addr string, opts ...watcher.Option) (*watcher.Watcher, error)
}

func postgresURL(t testing.TB) *url.URL {
	t.Helper()
	raw := os.Getenv("WARDEN_TEST_POSTGRES_DSN")
	if raw == "" {
		t.Skip("WARDEN_TEST_POSTGRES_DSN is not set; run with WARDEN_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		t.Fatalf("WARDEN_TEST_POSTGRES_DSN=%q is not a postgres:// URL: %v", raw, err)
	}
	return u
}

func withHost(u *url.URL, host string) string {
	c := *u
	c.Host = host
	return c.String()
}

func transports(t testing.TB, pg *url.URL) []transport {
	ts := []transport{{
		name:   "postgres",
		target: pg.Host,
		open: func(ctx context.Context, addr string, opts ...watcher.Option) (*watcher.Watcher, error) {
			return pgwatcher.New(ctx, withHost(pg, addr), opts...)
		},
	}}
	if addr := os.Getenv("WARDEN_TEST_REDIS_ADDR"); addr != "" {
		ts = append(ts, transport{
			name:   "redis",
			target: addr,
			open: func(ctx context.Context, addr string, opts ...watcher.Option) (*watcher.Watcher, error) {
				return rediswatcher.New(ctx, addr, opts...)
			},
		})
	} else {
		t.Log("WARDEN_TEST_REDIS_ADDR is not set: the Redis watcher is not exercised; run with WARDEN_TEST_REDIS_ADDR=127.0.0.1:6379")
	}
	return ts
}

// node is one Warden instance: its own database pool, adapter, enforcer
// and watcher connection.
type node struct {
	*enforcer.Enforcer
	w *watcher.Watcher
}

// cluster starts n instances sharing a fresh policy table. dbAddr and
// watcherAddr give, per instance, the address to reach PostgreSQL and the
// watcher's service (the real one or a proxy).
func cluster(t testing.TB, pg *url.URL, tr transport, dbAddr, watcherAddr []string, incremental bool) ([]node, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), watchertest.Wait)
	defer cancel()
	m, err := enforcer.ParseModel(rbacModel)
	if err != nil {
		t.Fatal(err)
	}
	table := watchertest.Unique("wt_rules_")
	channel := watchertest.Unique("wt_")
	quiet := slog.New(slog.DiscardHandler)
	nodes := make([]node, len(dbAddr))
	for i := range nodes {
		db, err := gorm.Open(postgres.Open(withHost(pg, dbAddr[i])), &gorm.Config{Logger: gormlogger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sqlDB.Close() })
		if i == 0 {
			t.Cleanup(func() {
				if err := dropTable(pg, table); err != nil {
					t.Errorf("drop %s: %v", table, err)
				}
			})
		}
		a, err := gormadapter.NewAdapterByDBUseTableName(db, "", table)
		if err != nil {
			t.Fatal(err)
		}
		e, err := enforcer.New(ctx, m, a, enforcer.WithLogger(quiet))
		if err != nil {
			t.Fatal(err)
		}
		w, err := tr.open(ctx, watcherAddr[i],
			watcher.WithChannel(channel),
			watcher.WithInstanceID(fmt.Sprintf("node-%d", i)),
			watcher.WithBackoff(watchertest.FastBackoff),
			watcher.WithTimeout(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Close)
		if !incremental {
			// SetWatcher alone: announces, and each message reloads.
			if err := e.SetWatcher(w); err != nil {
				t.Fatal(err)
			}
		} else {
			// A follower: hints read the store, coalesced; the enforcer
			// announces through w (WithWatcher attaches both).
			f, err := policysync.New(e, policysync.WithWatcher(w), policysync.WithInterval(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			fctx, stop := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = f.Run(fctx) }()
			t.Cleanup(func() { stop(); <-done })
		}
		nodes[i] = node{Enforcer: e, w: w}
	}
	return nodes, table
}

func dropTable(pg *url.URL, table string) error {
	db, err := gorm.Open(postgres.Open(pg.String()), &gorm.Config{Logger: gormlogger.Discard})
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	return db.Exec(`DROP TABLE IF EXISTS "` + table + `"`).Error
}

// eventually waits, bounded, until every node decides want for the request.
func eventually(t *testing.T, nodes []node, want bool, req ...any) {
	t.Helper()
	deadline := time.Now().Add(watchertest.Wait)
	for i, n := range nodes {
		for {
			got, err := n.Enforce(context.Background(), req...)
			if err != nil {
				t.Fatalf("node %d: Enforce%v: %v", i, req, err)
			}
			if got == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d: Enforce%v = %v for %v; want %v", i, req, got, watchertest.Wait, want)
			}
			time.Sleep(5 * time.Millisecond) // polling, not an assertion
		}
	}
}

func same(addr string, n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = addr
	}
	return s
}

// Three instances, one truth: a grant or revoke on any instance is decided
// the same way by the others, through the shared table and the watcher, both
// with enforcer.SetWatcher's callback and with a policysync.Follower. (The
// gorm-adapter table has no change log, so both read the whole policy.)
func TestThreeInstancesAgree(t *testing.T) {
	pg := postgresURL(t)
	for _, tr := range transports(t, pg) {
		for _, incremental := range []bool{false, true} {
			mode := map[bool]string{false: "reload", true: "follower"}[incremental]
			t.Run(tr.name+"/"+mode, func(t *testing.T) {
				nodes, table := cluster(t, pg, tr, same(pg.Host, 3), same(tr.target, 3), incremental)
				ctx := context.Background()
				eventually(t, nodes, false, "alice", "data1", "read")

				// A row nobody announced: the next read of the store picks it
				// up, in both modes, since no mode takes rules from messages.
				if err := insertRow(pg, table, "p", "sneaky", "data1", "read"); err != nil {
					t.Fatal(err)
				}

				if _, err := nodes[0].AddRules(ctx, enforcer.P("alice", "data1", "read")); err != nil {
					t.Fatal(err)
				}
				eventually(t, nodes[1:], true, "alice", "data1", "read")
				for i, n := range nodes[1:] {
					if got, _ := n.Enforce(ctx, "sneaky", "data1", "read"); !got {
						t.Fatalf("node %d: the store's unannounced row is not in force after a hint in %s mode", i+1, mode)
					}
				}

				if _, err := nodes[0].RemoveRules(ctx, enforcer.P("alice", "data1", "read")); err != nil {
					t.Fatal(err)
				}
				eventually(t, nodes[1:], false, "alice", "data1", "read")

				// A grant through a role, made on another instance.
				if _, err := nodes[1].AddRules(ctx, enforcer.P("reader", "data2", "read"), enforcer.G("bob", "reader")); err != nil {
					t.Fatal(err)
				}
				eventually(t, []node{nodes[0], nodes[2]}, true, "bob", "data2", "read")
				if _, err := nodes[2].RemoveRules(ctx, enforcer.G("bob", "reader")); err != nil {
					t.Fatal(err)
				}
				eventually(t, nodes[:2], false, "bob", "data2", "read")
			})
		}
	}
}

func insertRow(pg *url.URL, table, ptype string, v ...string) error {
	db, err := gorm.Open(postgres.Open(pg.String()), &gorm.Config{Logger: gormlogger.Discard})
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	v = append(v, make([]string, 6-len(v))...)
	return db.Exec(`INSERT INTO "`+table+`" (ptype, v0, v1, v2, v3, v4, v5) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ptype, v[0], v[1], v[2], v[3], v[4], v[5]).Error
}

// An instance cut off from the database and the watcher keeps deciding with
// its last policy, fails writes, and after the cut heals reloads the changes
// it missed.
func TestCutOffInstanceCatchesUp(t *testing.T) {
	pg := postgresURL(t)
	ctx := context.Background()
	for _, tr := range transports(t, pg) {
		t.Run(tr.name, func(t *testing.T) {
			dbProxy, err := tcpproxy.Start(pg.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer dbProxy.Close()
			wProxy := dbProxy
			if tr.target != pg.Host {
				if wProxy, err = tcpproxy.Start(tr.target); err != nil {
					t.Fatal(err)
				}
				defer wProxy.Close()
			}
			nodes, _ := cluster(t, pg, tr,
				[]string{pg.Host, dbProxy.Addr()},
				[]string{tr.target, wProxy.Addr()}, false)
			live, cut := nodes[0], nodes[1]

			if _, err := live.AddRules(ctx, enforcer.P("alice", "data1", "read")); err != nil {
				t.Fatal(err)
			}
			eventually(t, nodes, true, "alice", "data1", "read")

			dbProxy.Cut()
			wProxy.Cut()
			// Decisions go on from the last good policy.
			if ok, err := cut.Enforce(ctx, "alice", "data1", "read"); err != nil || !ok {
				t.Fatalf("cut-off instance: Enforce = %v, %v; want allow from its last policy", ok, err)
			}
			// Writes fail, and nothing is applied locally.
			if _, err := cut.AddRules(ctx, enforcer.P("mallory", "data1", "read")); err == nil {
				t.Fatal("AddRules succeeded with the database unreachable")
			}
			if ok, _ := cut.Enforce(ctx, "mallory", "data1", "read"); ok {
				t.Fatal("a failed write was applied locally")
			}
			if err := cut.w.Update(); err == nil {
				t.Fatal("watcher Update succeeded with its service unreachable")
			}
			// The revoke happens while the instance cannot hear about it.
			if _, err := live.RemoveRules(ctx, enforcer.P("alice", "data1", "read")); err != nil {
				t.Fatal(err)
			}
			if ok, _ := cut.Enforce(ctx, "alice", "data1", "read"); !ok {
				t.Fatal("cut-off instance changed its policy without hearing of the change")
			}

			if err := dbProxy.Restore(); err != nil {
				t.Fatal(err)
			}
			if wProxy != dbProxy {
				if err := wProxy.Restore(); err != nil {
					t.Fatal(err)
				}
			}
			// Reconnect, full reload: the missed revoke now holds there too.
			eventually(t, []node{cut}, false, "alice", "data1", "read")
			if got := cut.w.Stats().Reconnects; got != 1 {
				t.Fatalf("Reconnects = %d; want 1", got)
			}
		})
	}
}

// BenchmarkSyncPropagation measures what an operator cares about: the time
// from a grant on one instance until both others decide allow, over 200
// grants, through the shared PostgreSQL table and each watcher, applying
// single changes (policysync) and reloading everything (SetWatcher's
// default). Run with:
//
//	go test -run '^$' -bench SyncPropagation -benchtime 1x ./watcher
func BenchmarkSyncPropagation(b *testing.B) {
	pg := postgresURL(b)
	ctx := context.Background()
	for _, tr := range transports(b, pg) {
		for _, incremental := range []bool{true, false} {
			mode := "reload"
			if incremental {
				mode = "single-change"
			}
			b.Run(tr.name+"/"+mode, func(b *testing.B) {
				nodes, _ := cluster(b, pg, tr, same(pg.Host, 3), same(tr.target, 3), incremental)
				if _, err := nodes[0].AddRules(ctx, enforcer.P("reader", "data", "read")); err != nil {
					b.Fatal(err)
				}
				var lat []time.Duration
				for b.Loop() {
					lat = lat[:0]
					for i := 0; i < 200; i++ {
						user := fmt.Sprintf("user%d", i)
						start := time.Now()
						if _, err := nodes[0].AddRules(ctx, enforcer.G(user, "reader")); err != nil {
							b.Fatal(err)
						}
						for _, n := range nodes[1:] {
							for {
								ok, err := n.Enforce(ctx, user, "data", "read")
								if err != nil {
									b.Fatal(err)
								}
								if ok {
									break
								}
								if time.Since(start) > watchertest.Wait {
									b.Fatalf("%s not allowed on another instance after %v", user, watchertest.Wait)
								}
								time.Sleep(100 * time.Microsecond)
							}
						}
						lat = append(lat, time.Since(start))
					}
					if _, err := nodes[0].RemoveRules(ctx, rulesFor(200)...); err != nil {
						b.Fatal(err)
					}
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50_ms")
				b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99_ms")
			})
		}
	}
}

func rulesFor(n int) []enforcer.Rule {
	out := make([]enforcer.Rule, n)
	for i := range out {
		out[i] = enforcer.G(fmt.Sprintf("user%d", i), "reader")
	}
	return out
}
