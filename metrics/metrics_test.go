package metrics_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/breaker"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/metrics"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/policysync"
)

type fakeDecider struct {
	allowed bool
	err     error
}

func (f fakeDecider) Decide(context.Context, enforcer.Request) (enforcer.Decision, error) {
	return enforcer.Decision{Allowed: f.allowed && f.err == nil}, f.err
}

// value reads one sample of the registry by metric name and labels.
func value(t *testing.T, m *metrics.Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, s := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range s.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue next
				}
			}
			switch {
			case s.Counter != nil:
				return s.GetCounter().GetValue()
			case s.Gauge != nil:
				return s.GetGauge().GetValue()
			case s.Histogram != nil:
				return float64(s.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

func TestDecider(t *testing.T) {
	m := metrics.New(metrics.WithoutRuntime())
	tests := []struct {
		name string
		d    fakeDecider
	}{
		{"allow", fakeDecider{allowed: true}},
		{"deny", fakeDecider{}},
		{"error", fakeDecider{allowed: true, err: errors.New("boom")}},
	}
	for _, tt := range tests {
		d := m.Decider(tt.d)
		for range 2 {
			dec, err := d.Decide(context.Background(), enforcer.NewRequest("a"))
			if dec.Allowed != (tt.d.allowed && tt.d.err == nil) || (err != nil) != (tt.d.err != nil) {
				t.Fatalf("%s: wrapper changed the decision: %v %v", tt.name, dec, err)
			}
		}
	}
	for _, r := range []string{"allow", "deny", "error"} {
		if got := value(t, m, "warden_decisions_total", map[string]string{"result": r}); got != 2 {
			t.Errorf("decisions{result=%s} = %v, want 2", r, got)
		}
	}
	if got := value(t, m, "warden_decision_duration_seconds", nil); got != 6 {
		t.Errorf("latency samples = %v, want 6", got)
	}
}

func TestProviderHooks(t *testing.T) {
	m := metrics.New(metrics.WithoutRuntime())
	fail := true
	g := m.Provider("groups/http", warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		if fail {
			return nil, errors.New("down")
		}
		return []string{"a"}, nil
	}))
	tok := &warden.Token{Identity: "alice"}
	if _, err := g.Fetch(context.Background(), tok); err == nil {
		t.Fatal("error swallowed")
	}
	fail = false
	if got, err := g.Fetch(context.Background(), tok); err != nil || len(got) != 1 {
		t.Fatalf("answer changed: %v %v", got, err)
	}
	p := m.Provider("permissions/claims", warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, nil }))
	_, _ = p.Fetch(context.Background(), tok)

	src := map[string]string{"source": "groups/http"}
	if got := value(t, m, "warden_provider_fetch_duration_seconds", src); got != 2 {
		t.Errorf("fetch samples = %v, want 2", got)
	}
	if got := value(t, m, "warden_provider_fetch_errors_total", src); got != 1 {
		t.Errorf("fetch errors = %v, want 1", got)
	}
	if got := value(t, m, "warden_provider_fetch_duration_seconds", map[string]string{"source": "permissions/claims"}); got != 1 {
		t.Errorf("permissions samples = %v", got)
	}

	m.ObserveCache("groups/sql", true)
	m.ObserveCache("groups/sql", true)
	m.ObserveCache("groups/sql", false)
	if h, mi := value(t, m, "warden_cache_hits_total", map[string]string{"source": "groups/sql"}), value(t, m, "warden_cache_misses_total", map[string]string{"source": "groups/sql"}); h != 2 || mi != 1 {
		t.Errorf("hits %v misses %v", h, mi)
	}
	for _, s := range []breaker.State{breaker.Closed, breaker.Open, breaker.HalfOpen} {
		m.ObserveBreaker("groups/sql", s)
		if got := value(t, m, "warden_breaker_state", map[string]string{"source": "groups/sql"}); got != float64(s) {
			t.Errorf("breaker state = %v, want %v", got, float64(s))
		}
	}
}

func TestWatcherObserver(t *testing.T) {
	m := metrics.New(metrics.WithoutRuntime())
	obs := m.WatcherObserver()
	for _, ev := range []watcher.Event{
		{Kind: watcher.EventDisconnected, Channel: "c"},
		{Kind: watcher.EventReconnectFailed, Channel: "c"},
		{Kind: watcher.EventReconnected, Channel: "c"},
		{Kind: watcher.EventReceived, Channel: "c", Revision: 3},
		{Kind: watcher.EventReceived, Channel: "c"},
		{Kind: watcher.EventPublished, Channel: "c"},
	} {
		obs(ev)
	}
	ch := map[string]string{"channel": "c"}
	if got := value(t, m, "warden_watcher_reconnects_total", ch); got != 1 {
		t.Errorf("reconnects = %v", got)
	}
	if got := value(t, m, "warden_watcher_events_total", map[string]string{"channel": "c", "kind": "received"}); got != 2 {
		t.Errorf("received events = %v", got)
	}
}

// warden_watcher_connected is read from the watcher when scraped: no event
// has to arrive for it to drop.
func TestWatcherConnected(t *testing.T) {
	m := metrics.New(metrics.WithoutRuntime())
	var up atomic.Bool
	up.Store(true)
	m.WatcherConnected("c", up.Load)
	ch := map[string]string{"channel": "c"}
	if got := value(t, m, "warden_watcher_connected", ch); got != 1 {
		t.Errorf("connected = %v; want 1", got)
	}
	up.Store(false)
	if got := value(t, m, "warden_watcher_connected", ch); got != 0 {
		t.Errorf("connected after the subscription was lost = %v; want 0", got)
	}
}

type status policysync.Status

func (s status) Status() policysync.Status { return policysync.Status(s) }

func TestSync(t *testing.T) {
	m := metrics.New(metrics.WithoutRuntime())
	last := time.Unix(1_700_000_000, 500_000_000)
	m.Sync("policy", status{Applied: 41, Head: 42, Synced: true, LastSync: last, Lag: 1500 * time.Millisecond})
	m.Sync("admin", status{})
	p, a := map[string]string{"scope": "policy"}, map[string]string{"scope": "admin"}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"warden_sync_applied_revision", p, 41},
		{"warden_sync_store_revision", p, 42},
		{"warden_sync_lag_seconds", p, 1.5},
		{"warden_sync_last_success_timestamp_seconds", p, 1_700_000_000.5},
		{"warden_sync_lag_seconds", a, math.Inf(1)},
		{"warden_sync_last_success_timestamp_seconds", a, 0},
	} {
		if got := value(t, m, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v; want %v", c.name, c.labels, got, c.want)
		}
	}
}

func TestPolicySize(t *testing.T) {
	ctx := context.Background()
	mod, err := models.Load(models.Permissions)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, mod, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New(metrics.WithoutRuntime())
	m.Policy("policy", e)
	if _, err := e.AddRules(ctx, enforcer.P("a", "x:*", "allow"), enforcer.P("b", "y", "allow"), enforcer.G("c", "a")); err != nil {
		t.Fatal(err)
	}
	if got := value(t, m, "warden_policy_rules", map[string]string{"scope": "policy", "ptype": "p"}); got != 2 {
		t.Errorf("p rules = %v", got)
	}
	if _, err := e.RemoveRules(ctx, enforcer.G("c", "a")); err != nil {
		t.Fatal(err)
	}
	if got := value(t, m, "warden_policy_rules", map[string]string{"scope": "policy", "ptype": "g"}); got != 0 {
		t.Errorf("g rules after removal = %v", got)
	}
}

func TestHandlerUsesItsOwnRegistry(t *testing.T) {
	m := metrics.New()
	m.ObserveDecision(metrics.ResultAllow, time.Millisecond)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{`warden_decisions_total{result="allow"} 1`, "go_goroutines", "warden_decision_duration_seconds_bucket"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
	mfs, _ := prometheus.DefaultGatherer.Gather()
	for _, mf := range mfs {
		if strings.HasPrefix(mf.GetName(), "warden_") {
			t.Errorf("%s registered on the global registry", mf.GetName())
		}
	}
	// Two instances coexist: no duplicate registration panics.
	_ = metrics.New()
}

func TestObserveChange(t *testing.T) {
	m := metrics.New(metrics.WithoutRuntime())
	m.ObserveChange("policy", "grant", 1, "ok")
	m.ObserveChange("policy", "grant", 0, "ok")
	m.ObserveChange("admin", "revoke", 1, "audit_failed")
	if got := value(t, m, "warden_policy_changes_total", map[string]string{"scope": "policy", "action": "grant", "outcome": "ok"}); got != 2 {
		t.Errorf("ok grants = %v", got)
	}
	if got := value(t, m, "warden_policy_changes_total", map[string]string{"scope": "admin", "outcome": "audit_failed"}); got != 1 {
		t.Errorf("audit failures = %v", got)
	}
}
