package pgwatcher_test

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardenhq/warden/internal/tcpproxy"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/internal/watchertest"
	"github.com/wardenhq/warden/watcher/pgwatcher"
)

const envDSN = "WARDEN_TEST_POSTGRES_DSN"

// dsn returns the test server's DSN or skips with how to provide one.
func dsn(tb testing.TB) *url.URL {
	tb.Helper()
	raw := os.Getenv(envDSN)
	if raw == "" {
		tb.Skipf("%s is not set; run with %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable", envDSN, envDSN)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		tb.Fatalf("%s=%q is not a postgres:// URL: %v", envDSN, raw, err)
	}
	return u
}

// dsnFor points the test DSN at addr and names its connections.
func dsnFor(base *url.URL, addr, name string) string {
	u := *base
	u.Host = addr
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func backend(tb testing.TB) watchertest.Backend {
	base := dsn(tb)
	admin := func(ctx context.Context) (*pgx.Conn, error) {
		return pgx.Connect(ctx, dsnFor(base, base.Host, watchertest.Unique("wt-admin-")))
	}
	return watchertest.Backend{
		Target: base.Host,
		Open: func(ctx context.Context, addr, name string, opts ...watcher.Option) (*watcher.Watcher, error) {
			return pgwatcher.New(ctx, dsnFor(base, addr, name), opts...)
		},
		KillListener: func(ctx context.Context, name string) (int, error) {
			conn, err := admin(ctx)
			if err != nil {
				return 0, err
			}
			defer conn.Close(ctx)
			var n int
			err = conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE query LIKE 'LISTEN%' AND application_name = $1) AS killed`, name).Scan(&n)
			return n, err
		},
		PublishRaw: func(ctx context.Context, channel, payload string) error {
			conn, err := admin(ctx)
			if err != nil {
				return err
			}
			defer conn.Close(ctx)
			_, err = conn.Exec(ctx, "SELECT pg_notify($1, $2)", channel, payload)
			return err
		},
	}
}

func TestConformance(t *testing.T) { watchertest.Run(t, backend(t)) }

func BenchmarkPropagation(b *testing.B) { watchertest.BenchmarkPropagation(b, backend(b)) }

// A change of any size is announced as one small hint: the rules are never
// sent, so NOTIFY's 8000-byte limit cannot be met.
func TestLargeChangeIsOneHint(t *testing.T) {
	be := backend(t)
	ch := watchertest.Unique("wt_")
	a := be.OpenInstance(t, be.Target, ch)
	r := be.OpenInstance(t, be.Target, ch)
	rules := make([][]string, 500)
	for i := range rules {
		rules[i] = []string{"user-with-a-long-name", "/a/long/resource/path", "read"}
	}
	if err := a.UpdateForAddPolicies("p", "p", rules...); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if h := r.Rec.Next(t); h != (watcher.Hint{Instance: a.Name}) {
		t.Fatalf("received %+v; want a's hint", h)
	}
}

func TestChannelTooLong(t *testing.T) {
	base := dsn(t)
	_, err := pgwatcher.New(context.Background(), dsnFor(base, base.Host, "wt-long"),
		watcher.WithChannel(strings.Repeat("c", 64)))
	if err == nil || !strings.Contains(err.Error(), "longer than 63 bytes") {
		t.Fatalf("err = %v; want a channel length error", err)
	}
}

func TestBadDSN(t *testing.T) {
	_, err := pgwatcher.New(context.Background(), "postgres://%zz")
	if err == nil || !strings.Contains(err.Error(), "pgwatcher: parse DSN") {
		t.Fatalf("err = %v; want a DSN parse error", err)
	}
}

// NewFromPool publishes through the application's pool and leaves it open.
func TestNewFromPoolLeavesPoolOpen(t *testing.T) {
	base := dsn(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsnFor(base, base.Host, watchertest.Unique("wt-pool-")))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ch := watchertest.Unique("wt_")
	w, err := pgwatcher.NewFromPool(ctx, pool, watcher.WithChannel(ch))
	if err != nil {
		t.Fatal(err)
	}
	r := backend(t).OpenInstance(t, base.Host, ch)
	if err := w.Update(); err != nil {
		t.Fatal(err)
	}
	if m := r.Rec.Next(t); m.Instance != w.InstanceID() {
		t.Fatalf("received %+v; want the pool watcher's message", m)
	}
	w.Close()
	if err := pool.Ping(ctx); err != nil {
		t.Fatalf("pool closed by the watcher: %v", err)
	}
	if _, err := pgwatcher.NewFromPool(ctx, nil); err == nil || errors.Is(err, watcher.ErrUnavailable) {
		t.Fatalf("nil pool: err = %v; want a usage error", err)
	}
}

// TestAnnounceRevisionIsBounded: an enforcer hints after its commit with a
// context that has no deadline (the change is committed; the hint must not
// fail because the caller's request ended). The watcher's own timeout must
// bound it all the same: with the publishing connection frozen, pgx would
// otherwise wait for ever, and the committed grant or revoke would never
// be answered.
func TestAnnounceRevisionIsBounded(t *testing.T) {
	base := dsn(t)
	proxy, err := tcpproxy.Start(base.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	ctx := context.Background()
	w, err := pgwatcher.New(ctx, dsnFor(base, proxy.Addr(), watchertest.Unique("wt-bounded-")),
		watcher.WithChannel(watchertest.Unique("wt_bounded_")), watcher.WithTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	frozen := make(chan struct{})
	var once sync.Once
	proxy.SetHook(func(dir tcpproxy.Direction, data []byte) tcpproxy.Action {
		if dir == tcpproxy.ToServer && bytes.Contains(data, []byte("pg_notify")) {
			once.Do(func() { close(frozen) })
			return tcpproxy.FreezeConn
		}
		return tcpproxy.Forward
	})
	done := make(chan error, 1)
	go func() { done <- w.AnnounceRevision(ctx, 7) }()
	<-frozen
	select {
	case err := <-done:
		if !errors.Is(err, watcher.ErrUnavailable) {
			t.Fatalf("AnnounceRevision on a frozen connection = %v, want ErrUnavailable", err)
		}
	case <-time.After(time.Minute): // a guard against a hang, far above the 200ms bound
		t.Fatal("AnnounceRevision without a deadline hangs on a frozen connection")
	}
	proxy.Cut() // before Close, which would wait for the frozen connection
}
