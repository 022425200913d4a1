package policysync_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/policysync"
)

const wait = 10 * time.Second

// gate is a Target whose reads block until released, so that a test can
// hold one read in flight and count what piles up behind it. It stands in
// for an enforcer only where a real store could not be held mid-read.
type gate struct {
	entered               chan struct{} // one value per read started
	release               chan error    // one value lets one read finish with that error
	inFlight, maxInFlight atomic.Int32

	mu     sync.Mutex
	status enforcer.SyncStatus
}

func newGate() *gate {
	return &gate{entered: make(chan struct{}, 100), release: make(chan error)}
}

func (g *gate) CatchUp(ctx context.Context) error {
	n := g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	for {
		m := g.maxInFlight.Load()
		if n <= m || g.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	g.entered <- struct{}{}
	select {
	case err := <-g.release:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) SyncStatus() enforcer.SyncStatus {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.status
}

func (g *gate) set(s enforcer.SyncStatus) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.status = s
}

func (g *gate) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(wait):
		t.Fatalf("no read started within %v", wait)
	}
}

func (g *gate) finish(t *testing.T, err error) {
	t.Helper()
	select {
	case g.release <- err:
	case <-time.After(wait):
		t.Fatalf("no read to release within %v", wait)
	}
}

// run starts f until the test ends.
func run(t testing.TB, f *policysync.Follower) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v; want context.Canceled", err)
		}
	})
}

// A flood of hints while a read is in flight leaves exactly one read
// pending: reads are never concurrent and never pile up.
func TestHintsCoalesce(t *testing.T) {
	g := newGate()
	f, err := policysync.New(g, policysync.WithUnattachedTarget(), policysync.WithInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	run(t, f)
	g.waitEntered(t) // the first read, at start
	for range 1000 {
		f.Hint(watcher.Hint{Instance: "flood"})
	}
	g.finish(t, nil)
	g.waitEntered(t) // the one pending read
	g.finish(t, nil)
	select {
	case <-g.entered:
		t.Fatal("a third read started: hints were not coalesced")
	default:
	}
	if got := g.maxInFlight.Load(); got != 1 {
		t.Fatalf("%d reads in flight at once; want 1", got)
	}
	if s := f.Status(); s.Hints != 1000 || s.Skipped != 0 {
		t.Fatalf("status %+v; want 1000 hints, none skipped", s)
	}
}

// A hint naming a revision applied already (a replay, or the instance's
// own change) causes no read; a newer or unknown revision does.
func TestHintRevision(t *testing.T) {
	g := newGate()
	g.set(enforcer.SyncStatus{Applied: 5, Head: 5})
	f, err := policysync.New(g, policysync.WithUnattachedTarget(), policysync.WithInterval(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	run(t, f)
	g.waitEntered(t)
	g.finish(t, nil)
	for _, tt := range []struct {
		hint watcher.Hint
		read bool
	}{
		{watcher.Hint{Instance: "x", Revision: 1}, false},
		{watcher.Hint{Instance: "x", Revision: 5}, false},
		{watcher.Hint{Instance: "x", Revision: 6}, true},
		{watcher.Hint{Instance: "x"}, true},
	} {
		f.Hint(tt.hint)
		if tt.read {
			g.waitEntered(t)
			g.finish(t, nil)
			continue
		}
		// The hint was handled synchronously: nothing is pending.
		f.Hint(watcher.Hint{Revision: 5}) // also skipped
		select {
		case <-g.entered:
			t.Fatalf("hint %+v caused a read", tt.hint)
		default:
		}
	}
	if s := f.Status(); s.Skipped != 4 {
		t.Fatalf("skipped %d hints; want 4", s.Skipped)
	}
}

// Without any hint, the log is read every interval.
func TestPollWithoutHints(t *testing.T) {
	g := newGate()
	f, err := policysync.New(g, policysync.WithUnattachedTarget(), policysync.WithInterval(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	run(t, f)
	for range 4 {
		g.waitEntered(t)
		g.finish(t, nil)
	}
}

// clock is a controllable time.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Ready fails before the first successful read, when the last one is older
// than the maximum lag, and when the store stays ahead for longer than it;
// its errors name the check, never the cause.
func TestReady(t *testing.T) {
	g := newGate()
	c := &clock{now: time.Unix(1000, 0)}
	hints := &fakeHints{}
	hints.up.Store(true)
	f, err := policysync.New(g, policysync.WithUnattachedTarget(), policysync.WithInterval(time.Hour), policysync.WithMaxLag(time.Second),
		policysync.WithClock(c.Now), policysync.WithWatcher(hints))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	run(t, f)
	g.waitEntered(t)
	if err := f.Ready(ctx); !errors.Is(err, policysync.ErrNeverSynced) {
		t.Fatalf("Ready before any read = %v; want ErrNeverSynced", err)
	}
	g.finish(t, errors.New("dial tcp 10.0.0.7:5432: connection refused"))
	hints.payload(`{"instance":"x"}`)
	g.waitEntered(t)
	if err := f.Ready(ctx); !errors.Is(err, policysync.ErrNeverSynced) {
		t.Fatalf("Ready after a failed read = %v; want ErrNeverSynced", err)
	}
	if s := f.Status(); s.Err == nil {
		t.Fatal("Status.Err is nil after a failed read")
	}
	g.finish(t, nil)
	waitFor(t, func() bool { return f.Status().Synced })
	if err := f.Ready(ctx); err != nil {
		t.Fatalf("Ready after a read = %v", err)
	}
	c.advance(1500 * time.Millisecond)
	if err := f.Ready(ctx); !errors.Is(err, policysync.ErrStale) {
		t.Fatalf("Ready 1.5s after the last read = %v; want ErrStale", err)
	}
	if s := f.Status(); s.Lag != 1500*time.Millisecond {
		t.Fatalf("Lag = %v; want 1.5s", s.Lag)
	}

	// A read that finds the store ahead of what it could apply.
	g.set(enforcer.SyncStatus{Applied: 3, Head: 9})
	hints.payload(`garbage`)
	g.waitEntered(t)
	g.finish(t, nil)
	waitFor(t, func() bool { return f.Status().Head == 9 && f.Status().Lag == 0 })
	if err := f.Ready(ctx); err != nil {
		t.Fatalf("Ready just after a read that is behind = %v", err)
	}
	c.advance(600 * time.Millisecond)
	hints.payload(`{"instance":"x","revision":9}`)
	g.waitEntered(t)
	g.finish(t, nil)
	waitFor(t, func() bool { return f.Status().Lag == 0 })
	c.advance(600 * time.Millisecond)
	err = f.Ready(ctx)
	if !errors.Is(err, policysync.ErrStale) {
		t.Fatalf("Ready with the store ahead for 1.2s = %v; want ErrStale", err)
	}

	if err := f.Subscribed(ctx); err != nil {
		t.Fatalf("Subscribed = %v", err)
	}
	hints.up.Store(false)
	if err := f.Subscribed(ctx); !errors.Is(err, policysync.ErrSubscriptionDown) {
		t.Fatalf("Subscribed with the subscription lost = %v; want ErrSubscriptionDown", err)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", wait)
		}
		time.Sleep(time.Millisecond) // polling, not an assertion
	}
}

// fakeHints is a watcher reduced to its callback and its Connected.
type fakeHints struct {
	mu sync.Mutex
	cb func(string)
	up atomic.Bool
}

func (h *fakeHints) SetUpdateCallback(f func(string)) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cb = f
	return nil
}

func (h *fakeHints) Connected() bool { return h.up.Load() }

func (h *fakeHints) payload(p string) {
	h.mu.Lock()
	cb := h.cb
	h.mu.Unlock()
	cb(p)
}

func TestNewRejectsBadOptions(t *testing.T) {
	g := newGate()
	for _, tt := range []struct {
		name string
		opt  policysync.Option
	}{
		{"zero interval", policysync.WithInterval(0)},
		{"negative lag", policysync.WithMaxLag(-time.Second)},
		{"zero read timeout", policysync.WithReadTimeout(0)},
		{"nil logger", policysync.WithLogger(nil)},
	} {
		if _, err := policysync.New(g, policysync.WithUnattachedTarget(), tt.opt); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
	if _, err := policysync.New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
}
