package watchertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/tcpproxy"
	"github.com/wardenhq/warden/watcher"
)

// Backend describes a transport under test.
type Backend struct {
	// Target is the real service's host:port.
	Target string
	// Open opens a watcher talking to addr (Target or a proxy's host:port)
	// whose connections carry name (application_name, client name), so that
	// KillListener can find them.
	Open func(ctx context.Context, addr, name string, opts ...watcher.Option) (*watcher.Watcher, error)
	// KillListener terminates, on the server, the subscribed connection named
	// name, and reports how many connections it killed.
	KillListener func(ctx context.Context, name string) (int, error)
	// PublishRaw publishes payload on channel, bypassing any watcher.
	PublishRaw func(ctx context.Context, channel, payload string) error
}

// Unique returns prefix followed by random hex, for channel and connection
// names that cannot collide with other tests running at the same time.
func Unique(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// FastBackoff keeps reconnection tests quick while still exercising backoff.
var FastBackoff = watcher.Backoff{Initial: 20 * time.Millisecond, Max: 500 * time.Millisecond, Multiplier: 2, Jitter: 0.5}

// Instance is one watcher under test with its recorder.
type Instance struct {
	*watcher.Watcher
	Name string
	Rec  *Recorder
}

// OpenInstance opens a watcher on channel through addr, registers a recorder and
// closes it at the end of the test.
func (b Backend) OpenInstance(t testing.TB, addr, channel string, opts ...watcher.Option) *Instance {
	t.Helper()
	rec := NewRecorder()
	name := Unique("wt-")
	opts = append([]watcher.Option{
		watcher.WithChannel(channel),
		watcher.WithInstanceID(name),
		watcher.WithObserver(rec.Observe),
		watcher.WithBackoff(FastBackoff),
	}, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	w, err := b.Open(ctx, addr, name, opts...)
	if err != nil {
		t.Fatalf("open watcher on %s: %v", addr, err)
	}
	t.Cleanup(w.Close)
	if err := w.SetUpdateCallback(rec.Callback); err != nil {
		t.Fatal(err)
	}
	return &Instance{Watcher: w, Name: name, Rec: rec}
}

// Run runs the whole suite.
func Run(t *testing.T, b Backend) {
	t.Run("Propagation", func(t *testing.T) { testPropagation(t, b) })
	t.Run("Operations", func(t *testing.T) { testOperations(t, b) })
	t.Run("ReconnectAfterKill", func(t *testing.T) { testReconnectAfterKill(t, b) })
	t.Run("FlappingBacksOff", func(t *testing.T) { testFlapping(t, b) })
	t.Run("Unavailable", func(t *testing.T) { testUnavailable(t, b) })
	t.Run("SilentDrop", func(t *testing.T) { testSilentDrop(t, b) })
	t.Run("IdleStaysConnected", func(t *testing.T) { testIdle(t, b) })
	t.Run("NewWhileUnreachable", func(t *testing.T) { testNewWhileUnreachable(t, b) })
	t.Run("Forged", func(t *testing.T) { testForged(t, b) })
	t.Run("HandMadeMessage", func(t *testing.T) { testHandMade(t, b) })
	t.Run("CallbackPanic", func(t *testing.T) { testCallbackPanic(t, b) })
	t.Run("ObserverPanic", func(t *testing.T) { testObserverPanic(t, b) })
	t.Run("CloseReleasesEverything", func(t *testing.T) { testClose(t, b) })
	t.Run("CloseDuringOutage", func(t *testing.T) { testCloseDuringOutage(t, b) })
}

func testPropagation(t *testing.T, b Backend) {
	ch := Unique("wt_")
	a := b.OpenInstance(t, b.Target, ch)
	bb := b.OpenInstance(t, b.Target, ch)
	c := b.OpenInstance(t, b.Target, ch)

	if err := a.UpdateForAddPolicy("p", "p", "alice", "data1", "read"); err != nil {
		t.Fatalf("publish: %v", err)
	}
	for _, other := range []*Instance{bb, c} {
		if h := other.Rec.Next(t); h != (watcher.Hint{Instance: a.Name}) {
			t.Fatalf("%s received %+v; want a's hint of an unknown revision", other.Name, h)
		}
	}

	// Hints on one channel arrive in order, so if a's first callback is b's
	// hint, a's own hint (sent earlier) was dropped, not delayed.
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	if err := bb.AnnounceRevision(ctx, 42); err != nil {
		t.Fatalf("announce: %v", err)
	}
	if h := a.Rec.Next(t); h != (watcher.Hint{Instance: bb.Name, Revision: 42}) {
		t.Fatalf("a's first callback is %+v; want b's hint of revision 42 (a must ignore its own)", h)
	}
	if h := c.Rec.Next(t); h.Instance != bb.Name {
		t.Fatalf("c received %+v; want b's hint", h)
	}
	if got := a.Stats(); got.Ignored != 1 || got.Received != 1 || got.Published != 1 {
		t.Fatalf("a stats = %+v; want 1 published, 1 ignored, 1 received", got)
	}
	evs := c.Rec.WaitEvents(t, watcher.EventReceived, 2)
	if evs[0].Instance != a.Name || evs[1].Instance != bb.Name || evs[1].Revision != 42 {
		t.Fatalf("c's received events = %+v; want a's hint then b's of revision 42", evs)
	}
}

// Every Casbin watcher method announces a hint of an unknown revision and
// nothing else: the rules it is given never leave the instance.
func testOperations(t *testing.T, b Backend) {
	ch := Unique("wt_")
	a := b.OpenInstance(t, b.Target, ch)
	r := b.OpenInstance(t, b.Target, ch)
	rules := [][]string{{"alice", "data1", "read"}, {"bob", "data2", "write"}}
	tests := []struct {
		name    string
		publish func() error
	}{
		{"Update", a.Update},
		{"AddPolicy", func() error { return a.UpdateForAddPolicy("p", "p", "alice", "data1", "read") }},
		{"RemovePolicy", func() error { return a.UpdateForRemovePolicy("g", "g", "alice", "admin") }},
		{"RemoveFilteredPolicy", func() error { return a.UpdateForRemoveFilteredPolicy("p", "p2", 1, "data1", "") }},
		{"SavePolicy", func() error { return a.UpdateForSavePolicy(nil) }},
		{"AddPolicies", func() error { return a.UpdateForAddPolicies("p", "p", rules...) }},
		{"RemovePolicies", func() error { return a.UpdateForRemovePolicies("p", "p", rules...) }},
		{"UpdatePolicy", func() error { return a.UpdateForUpdatePolicy("p", "p", rules[0], rules[1]) }},
		{"UpdatePolicies", func() error { return a.UpdateForUpdatePolicies("p", "p", rules, [][]string{rules[1], rules[0]}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.publish(); err != nil {
				t.Fatalf("publish: %v", err)
			}
			if got := r.Rec.Next(t); got != (watcher.Hint{Instance: a.Name}) {
				t.Fatalf("received %+v; want a's hint of an unknown revision", got)
			}
		})
	}
}

// waitReload waits for the hint of an unknown revision a watcher hands its
// callback after reconnecting, so that what was missed is read.
func waitReload(t testing.TB, in *Instance) {
	t.Helper()
	if h := in.Rec.Next(t); h != (watcher.Hint{}) {
		t.Fatalf("%s: callback %+v; want the empty hint of a reconnection", in.Name, h)
	}
}

func testReconnectAfterKill(t *testing.T, b Backend) {
	ch := Unique("wt_")
	pub := b.OpenInstance(t, b.Target, ch)
	sub := b.OpenInstance(t, b.Target, ch)

	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	n, err := b.KillListener(ctx, sub.Name)
	if err != nil {
		t.Fatalf("kill listener: %v", err)
	}
	if n != 1 {
		t.Fatalf("killed %d listening connections named %s; want 1", n, sub.Name)
	}
	sub.Rec.WaitEvent(t, watcher.EventDisconnected)
	waitReload(t, sub)
	if got := sub.Stats().Reconnects; got != 1 {
		t.Fatalf("Reconnects = %d; want 1", got)
	}
	if ev := sub.Rec.WaitEvent(t, watcher.EventReconnected); ev.Attempt < 1 {
		t.Fatalf("reconnected event %+v; want Attempt >= 1", ev)
	}

	if err := pub.UpdateForAddPolicy("p", "p", "carol", "data3", "read"); err != nil {
		t.Fatalf("publish after reconnect: %v", err)
	}
	if h := sub.Rec.Next(t); h.Instance != pub.Name {
		t.Fatalf("after reconnect received %+v; want pub's hint", h)
	}
	// The publisher was not disturbed: no reload for it.
	if !pub.Rec.NoPayload() {
		t.Fatalf("publisher got an unexpected callback: %q", <-pub.Rec.Payloads)
	}
}

// kill kills in's listening connection and waits for the reconnection and
// its reload; it returns the reconnected event.
func kill(t *testing.T, b Backend, in *Instance) watcher.Event {
	t.Helper()
	nth := 1
	for _, ev := range in.Rec.Events() {
		if ev.Kind == watcher.EventReconnected {
			nth++
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	if n, err := b.KillListener(ctx, in.Name); err != nil || n != 1 {
		t.Fatalf("kill listener: killed %d, %v; want 1", n, err)
	}
	waitReload(t, in)
	return in.Rec.WaitEvents(t, watcher.EventReconnected, nth)[nth-1]
}

// A subscription that dies young does not reset the backoff schedule: a
// server that keeps dropping connections meets growing delays. One that
// lived longer than Backoff.Max starts the schedule afresh.
func testFlapping(t *testing.T, b Backend) {
	ch := Unique("wt_")
	// Delays: step 0 in [10ms, 20ms], step 1 in [40ms, 80ms], capped at 200ms.
	bo := watcher.Backoff{Initial: 20 * time.Millisecond, Max: 200 * time.Millisecond, Multiplier: 4, Jitter: 0.5}
	in := b.OpenInstance(t, b.Target, ch, watcher.WithBackoff(bo), watcher.WithHealthInterval(25*time.Millisecond))

	if ev := kill(t, b, in); ev.Delay > 20*time.Millisecond {
		t.Fatalf("first reconnection waited %v; want at most 20ms", ev.Delay)
	}
	if ev := kill(t, b, in); ev.Delay < 40*time.Millisecond {
		t.Fatalf("reconnection after a young subscription waited %v; want at least 40ms", ev.Delay)
	}
	// Let the subscription outlive Backoff.Max: 10 health checks of 25ms
	// take at least 250ms.
	seen := len(in.Rec.WaitEvents(t, watcher.EventHealthChecked, 1))
	in.Rec.WaitEvents(t, watcher.EventHealthChecked, seen+10)
	if ev := kill(t, b, in); ev.Delay > 20*time.Millisecond {
		t.Fatalf("reconnection after a long-lived subscription waited %v; want the first step (<= 20ms)", ev.Delay)
	}
}

func testUnavailable(t *testing.T, b Backend) {
	proxy, err := tcpproxy.Start(b.Target)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	ch := Unique("wt_")
	cut := b.OpenInstance(t, proxy.Addr(), ch, watcher.WithTimeout(2*time.Second))
	direct := b.OpenInstance(t, b.Target, ch)

	proxy.Cut()
	err = cut.UpdateForAddPolicy("p", "p", "dave", "data4", "read")
	if !errors.Is(err, watcher.ErrUnavailable) {
		t.Fatalf("publish while cut off: err = %v; want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), ch) {
		t.Errorf("error %q does not name the channel %q", err, ch)
	}
	if ev := cut.Rec.WaitEvent(t, watcher.EventPublishFailed); !errors.Is(ev.Err, watcher.ErrUnavailable) {
		t.Errorf("publish_failed event %+v; want ErrUnavailable", ev)
	}
	cut.Rec.WaitEvent(t, watcher.EventDisconnected)
	if cut.Connected() {
		t.Fatal("Connected() = true after the disconnected event")
	}
	cut.Rec.WaitEvent(t, watcher.EventReconnectFailed)
	if cut.Connected() {
		t.Fatal("Connected() = true while reconnecting fails")
	}

	if err := proxy.Restore(); err != nil {
		t.Fatal(err)
	}
	waitReload(t, cut)
	if !cut.Connected() {
		t.Fatal("Connected() = false after the reconnection")
	}

	if err := direct.UpdateForAddPolicy("p", "p", "erin", "data5", "read"); err != nil {
		t.Fatal(err)
	}
	if h := cut.Rec.Next(t); h.Instance != direct.Name {
		t.Fatalf("after restore received %+v; want direct's hint", h)
	}
	if err := cut.UpdateForAddPolicy("p", "p", "fay", "data6", "read"); err != nil {
		t.Fatalf("publish after restore: %v", err)
	}
	if h := direct.Rec.Next(t); h.Instance != cut.Name {
		t.Fatalf("direct received %+v; want cut's hint", h)
	}
	if s := cut.Stats(); s.PublishFailures != 1 || s.Reconnects != 1 {
		t.Fatalf("stats = %+v; want 1 publish failure and 1 reconnect", s)
	}
}

// A connection that goes dead without a reset (a vanished network path) is
// found by the liveness check and replaced, with a reload.
func testSilentDrop(t *testing.T, b Backend) {
	proxy, err := tcpproxy.Start(b.Target)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	ch := Unique("wt_")
	frozen := b.OpenInstance(t, proxy.Addr(), ch,
		watcher.WithHealthInterval(100*time.Millisecond), watcher.WithTimeout(500*time.Millisecond))
	direct := b.OpenInstance(t, b.Target, ch)

	proxy.Freeze()
	ev := frozen.Rec.WaitEvent(t, watcher.EventDisconnected)
	if ev.Err == nil || !strings.Contains(ev.Err.Error(), "liveness check") {
		t.Fatalf("disconnected event %+v; want a failed liveness check", ev)
	}
	waitReload(t, frozen)
	if err := direct.UpdateForAddPolicy("p", "p", "hal", "data8", "read"); err != nil {
		t.Fatal(err)
	}
	if h := frozen.Rec.Next(t); h.Instance != direct.Name {
		t.Fatalf("after the liveness reconnect received %+v; want direct's hint", h)
	}
}

// A quiet but healthy subscription passes its liveness checks and is kept:
// no reconnection, no spurious reload.
func testIdle(t *testing.T, b Backend) {
	ch := Unique("wt_")
	idle := b.OpenInstance(t, b.Target, ch, watcher.WithHealthInterval(20*time.Millisecond))
	pub := b.OpenInstance(t, b.Target, ch)
	idle.Rec.WaitEvents(t, watcher.EventHealthChecked, 5)
	for _, ev := range idle.Rec.Events() {
		if ev.Kind == watcher.EventDisconnected {
			t.Fatalf("idle subscription dropped: %+v", ev)
		}
	}
	if err := pub.Update(); err != nil {
		t.Fatal(err)
	}
	if h := idle.Rec.Next(t); h.Instance != pub.Name {
		t.Fatalf("first callback %+v; want pub's hint, not a reconnection's", h)
	}
	if n := idle.Stats().Reconnects; n != 0 {
		t.Fatalf("Reconnects = %d; want 0", n)
	}
}

func testNewWhileUnreachable(t *testing.T, b Backend) {
	proxy, err := tcpproxy.Start(b.Target)
	if err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	w, err := b.Open(ctx, proxy.Addr(), Unique("wt-"), watcher.WithChannel(Unique("wt_")))
	if err == nil {
		w.Close()
		t.Fatal("New succeeded with the service unreachable")
	}
	if !errors.Is(err, watcher.ErrUnavailable) {
		t.Fatalf("err = %v; want ErrUnavailable", err)
	}
}

// Forged announces whatever anybody able to write on the channel sends:
// a rule-carrying message of an older Warden (an add granting admin, a
// remove of a deny), garbage, truncated or oversized payloads, a replayed
// hint. The callback is handed at most an instance id and a revision, and a
// payload that is not a hint becomes the empty hint (a read of the store).
func testForged(t *testing.T, b Backend) {
	ch := Unique("wt_")
	r := b.OpenInstance(t, b.Target, ch)
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	tests := []struct {
		name    string
		payload string
		want    watcher.Hint
		bad     bool
	}{
		{"add carrying rules", `{"instance":"x","op":"add","ptype":"g","rules":[["mallory","warden-admin"]]}`, watcher.Hint{Instance: "x"}, false},
		{"remove carrying rules", `{"instance":"x","op":"remove","ptype":"p","rules":[["mallory","/*","*","deny"]]}`, watcher.Hint{Instance: "x"}, false},
		{"replayed revision", `{"instance":"x","revision":1}`, watcher.Hint{Instance: "x", Revision: 1}, false},
		{"huge revision", `{"instance":"x","revision":18446744073709551615}`, watcher.Hint{Instance: "x", Revision: 1<<64 - 1}, false},
		{"negative revision", `{"instance":"x","revision":-1}`, watcher.Hint{}, true},
		{"garbage", "}{ not json", watcher.Hint{}, true},
		{"truncated", `{"instance":"x","rev`, watcher.Hint{}, true},
		{"oversized", `{"instance":"x","pad":"` + strings.Repeat("a", 4000) + `"}`, watcher.Hint{}, true},
		{"two objects", `{"instance":"x"}{"instance":"y"}`, watcher.Hint{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.Stats().Malformed
			if err := b.PublishRaw(ctx, ch, tt.payload); err != nil {
				t.Fatal(err)
			}
			if h := r.Rec.Next(t); h != tt.want {
				t.Fatalf("callback %+v; want %+v", h, tt.want)
			}
			if got := r.Stats().Malformed - before; got != map[bool]uint64{false: 0, true: 1}[tt.bad] {
				t.Fatalf("malformed counted %d times; want bad = %v", got, tt.bad)
			}
		})
	}
	if ev := r.Rec.WaitEvent(t, watcher.EventMalformed); !errors.Is(ev.Err, watcher.ErrMalformed) {
		t.Fatalf("event %+v; want ErrMalformed", ev)
	}
}

// A hint published by a tool is delivered as it claims.
func testHandMade(t *testing.T, b Backend) {
	ch := Unique("wt_")
	r := b.OpenInstance(t, b.Target, ch)
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	if err := b.PublishRaw(ctx, ch, `{"instance":"admin-tool","revision":3}`); err != nil {
		t.Fatal(err)
	}
	if h := r.Rec.Next(t); h != (watcher.Hint{Instance: "admin-tool", Revision: 3}) {
		t.Fatalf("callback %+v; want the tool's hint", h)
	}
	if ev := r.Rec.WaitEvent(t, watcher.EventReceived); ev.Revision != 3 || ev.Instance != "admin-tool" {
		t.Fatalf("event %+v; want the tool's hint of revision 3", ev)
	}
}

func testCallbackPanic(t *testing.T, b Backend) {
	ch := Unique("wt_")
	a := b.OpenInstance(t, b.Target, ch)
	r := b.OpenInstance(t, b.Target, ch)
	first := true
	if err := r.SetUpdateCallback(func(p string) {
		if first {
			first = false
			panic("boom")
		}
		r.Rec.Callback(p)
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Update(); err != nil {
		t.Fatal(err)
	}
	if err := a.UpdateForAddPolicy("p", "p", "gus", "data7", "read"); err != nil {
		t.Fatal(err)
	}
	if h := r.Rec.Next(t); h.Instance != a.Name {
		t.Fatalf("callback %+v; want a's second hint after the panicking first", h)
	}
	if ev := r.Rec.WaitEvent(t, watcher.EventCallbackPanicked); ev.Err == nil || !strings.Contains(ev.Err.Error(), "boom") {
		t.Fatalf("event %+v; want the panic value", ev)
	}
}

// An observer that panics on every event (a bug in metrics code) neither
// stops the subscription nor loses a hint.
func testObserverPanic(t *testing.T, b Backend) {
	ch := Unique("wt_")
	a := b.OpenInstance(t, b.Target, ch)
	var panics atomic.Int64
	r := b.OpenInstance(t, b.Target, ch, watcher.WithObserver(func(watcher.Event) {
		panics.Add(1)
		panic("observer bug")
	}))
	for i := range 3 {
		if err := a.UpdateForAddPolicy("p", "p", "gus", fmt.Sprint("data", i), "read"); err != nil {
			t.Fatal(err)
		}
		if h := r.Rec.Next(t); h.Instance != a.Name {
			t.Fatalf("hint %d: %+v; want a's", i, h)
		}
	}
	if panics.Load() < 3 {
		t.Fatalf("observer called %d times, want at least 3 (one per hint received)", panics.Load())
	}
}

func testClose(t *testing.T, b Backend) {
	before := runtime.NumGoroutine()
	ch := Unique("wt_")
	a := b.OpenInstance(t, b.Target, ch)
	r := b.OpenInstance(t, b.Target, ch)
	if err := a.Update(); err != nil {
		t.Fatal(err)
	}
	r.Rec.Next(t)

	r.Close()
	select {
	case <-r.Done():
	default:
		t.Fatal("Done not closed after Close returned")
	}
	r.Close() // idempotent
	if err := r.Update(); !errors.Is(err, watcher.ErrClosed) {
		t.Fatalf("Update after Close: %v; want ErrClosed", err)
	}
	if err := a.Update(); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if !r.Rec.NoPayload() {
		t.Fatalf("callback called after Close: %q", <-r.Rec.Payloads)
	}

	// Every goroutine the two watchers started is gone.
	deadline := time.Now().Add(Wait)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond) // polling, not an assertion
	}
}

// Close interrupts a watcher waiting to reconnect, however long its backoff.
func testCloseDuringOutage(t *testing.T, b Backend) {
	proxy, err := tcpproxy.Start(b.Target)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	in := b.OpenInstance(t, proxy.Addr(), Unique("wt_"),
		watcher.WithBackoff(watcher.Backoff{Initial: time.Hour, Max: time.Hour}))
	proxy.Cut()
	in.Rec.WaitEvent(t, watcher.EventDisconnected)

	closed := make(chan struct{})
	go func() { in.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(Wait):
		t.Fatalf("Close still blocked after %v while the watcher waited to reconnect", Wait)
	}
	if !in.Rec.NoPayload() {
		t.Fatalf("callback called although the watcher never reconnected: %q", <-in.Rec.Payloads)
	}
}

// BenchmarkPropagation measures publish-to-callback latency over 200
// messages per iteration and reports its p50 and p99 in milliseconds.
func BenchmarkPropagation(b *testing.B, be Backend) {
	ch := Unique("wt_")
	pub := be.OpenInstance(b, be.Target, ch)
	sub := be.OpenInstance(b, be.Target, ch)
	got := make(chan time.Time, 1)
	if err := sub.SetUpdateCallback(func(string) { got <- time.Now() }); err != nil {
		b.Fatal(err)
	}
	const messages = 200
	var lat []time.Duration
	for b.Loop() {
		for range messages {
			start := time.Now()
			if err := pub.UpdateForAddPolicy("p", "p", "alice", "data1", "read"); err != nil {
				b.Fatal(err)
			}
			select {
			case at := <-got:
				lat = append(lat, at.Sub(start))
			case <-time.After(Wait):
				b.Fatalf("message not received within %v", Wait)
			}
		}
	}
	slices.Sort(lat)
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50_ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99_ms")
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(int(q*float64(len(sorted))), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// String makes Backend print usefully in failures.
func (b Backend) String() string { return fmt.Sprintf("backend(%s)", b.Target) }
