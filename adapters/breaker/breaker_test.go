package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/breaker"
)

var errDown = errors.New("down")

type source struct {
	calls atomic.Int64
	fail  atomic.Bool
}

func (s *source) fetch(context.Context, *warden.Token) ([]string, error) {
	s.calls.Add(1)
	if s.fail.Load() {
		return nil, errDown
	}
	return []string{"editors"}, nil
}

var tok = &warden.Token{Identity: "alice"}

// wrap is breaker.Wrap for options known to be good.
func wrap(p warden.Provider, opts ...breaker.Option) *breaker.Breaker {
	b, err := breaker.Wrap(p, opts...)
	if err != nil {
		panic(err)
	}
	return b
}

// changeLog records state changes; unlike State(), which a short open
// timeout can change at any moment, it is a fixed history to assert on.
type changeLog struct {
	mu      sync.Mutex
	changes []string
	names   []string // the breaker name of each change
}

func (l *changeLog) record(e breaker.Event) {
	l.mu.Lock()
	l.changes = append(l.changes, e.From.String()+"->"+e.To.String())
	l.names = append(l.names, e.Name)
	l.mu.Unlock()
}

func (l *changeLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprint(l.changes)
}

// The open timeout is an hour: the breaker cannot leave the open state
// while the test runs, however slow the machine.
func TestOpensAndFailsFast(t *testing.T) {
	src := &source{}
	src.fail.Store(true)
	log := &changeLog{}
	b := wrap(warden.ProviderFunc(src.fetch),
		breaker.WithName("groups-api"),
		breaker.WithFailures(3),
		breaker.WithOpenTimeout(time.Hour),
		breaker.WithObserver(log.record))
	ctx := context.Background()

	for i := range 3 {
		if _, err := b.Fetch(ctx, tok); !errors.Is(err, errDown) || errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("failure %d: err = %v", i, err)
		}
	}
	if b.State() != breaker.Open {
		t.Fatalf("state = %v after 3 failures, want open", b.State())
	}
	// Open: fails fast without calling the source, even once it is back.
	src.fail.Store(false)
	for range 10 {
		got, err := b.Fetch(ctx, tok)
		if !errors.Is(err, breaker.ErrOpen) || got != nil {
			t.Fatalf("open: got %v, %v", got, err)
		}
	}
	if n := src.calls.Load(); n != 3 {
		t.Fatalf("source called %d times, want 3 (open must not call it)", n)
	}
	if got, want := log.String(), "[closed->open]"; got != want || fmt.Sprint(log.names) != "[groups-api]" {
		t.Fatalf("changes = %v of %v, want %s of [groups-api]", got, log.names, want)
	}
}

// The breaker leaves the open state when asked after its open timeout.
// The test runs in a synctest bubble, whose clock (the time.Now gobreaker
// reads) moves only when the test sleeps and then at once: each
// time.Sleep below puts the breaker exactly past its timeout, with no
// real wait and no poll, however loaded the machine. The observer's
// history and State() are then both fixed.
func TestHalfOpenTrialReopensOrCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = time.Minute
		src := &source{}
		src.fail.Store(true)
		log := &changeLog{}
		b := wrap(warden.ProviderFunc(src.fetch),
			breaker.WithFailures(1),
			breaker.WithOpenTimeout(timeout),
			breaker.WithObserver(log.record))

		ctx := context.Background()
		if _, err := b.Fetch(ctx, tok); !errors.Is(err, errDown) {
			t.Fatalf("first failure: err = %v", err)
		}
		// Open until the timeout has passed: refused without a call.
		time.Sleep(timeout - time.Nanosecond)
		if _, err := b.Fetch(ctx, tok); !errors.Is(err, breaker.ErrOpen) || b.State() != breaker.Open {
			t.Fatalf("before the timeout: err = %v, state %v; want ErrOpen, open", err, b.State())
		}

		// Half-open after the timeout; a failing trial opens it again.
		time.Sleep(2 * time.Nanosecond)
		if b.State() != breaker.HalfOpen {
			t.Fatalf("state = %v after the timeout, want half-open", b.State())
		}
		if _, err := b.Fetch(ctx, tok); !errors.Is(err, errDown) || errors.Is(err, breaker.ErrOpen) {
			t.Fatalf("failing trial: err = %v, want the source's error", err)
		}
		if got, want := log.String(), "[closed->open open->half-open half-open->open]"; got != want || b.State() != breaker.Open {
			t.Fatalf("after a failed trial: changes = %v, state %v; want %s, open", got, b.State(), want)
		}

		// Half-open again; the source is back, the trial succeeds and closes it.
		src.fail.Store(false)
		time.Sleep(timeout + time.Nanosecond)
		got, err := b.Fetch(ctx, tok)
		if err != nil || got[0] != "editors" {
			t.Fatalf("good trial: got %v, %v", got, err)
		}
		if b.State() != breaker.Closed {
			t.Fatalf("state = %v after a good trial, want closed", b.State())
		}
		want := "[closed->open open->half-open half-open->open open->half-open half-open->closed]"
		if got := log.String(); got != want {
			t.Fatalf("changes = %v, want %s", got, want)
		}
		if n := src.calls.Load(); n != 3 {
			t.Fatalf("source called %d times, want 3 (one failure, two trials)", n)
		}
	})
}

func TestSuccessResetsConsecutiveFailures(t *testing.T) {
	src := &source{}
	b := wrap(warden.ProviderFunc(src.fetch), breaker.WithFailures(2))
	for range 5 {
		src.fail.Store(true)
		b.Fetch(context.Background(), tok)
		src.fail.Store(false)
		b.Fetch(context.Background(), tok)
	}
	if b.State() != breaker.Closed {
		t.Fatalf("state = %v, want closed (failures were never consecutive)", b.State())
	}
}

func TestCancelledCallerDoesNotTrip(t *testing.T) {
	b := wrap(warden.ProviderFunc(func(ctx context.Context, _ *warden.Token) ([]string, error) {
		return nil, ctx.Err()
	}),

		breaker.WithFailures(1))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 3 {
		b.Fetch(ctx, tok)
	}
	if b.State() != breaker.Closed {
		t.Fatalf("state = %v, want closed", b.State())
	}
}

// TestCallerDataDoesNotTrip: errors that say the token cannot be answered
// for are the caller's, not the source's; a token holder sending them must
// not open the breaker for everyone (issue 10 item 4's class: request data
// changing shared state).
func TestCallerDataDoesNotTrip(t *testing.T) {
	for _, cause := range []error{adapters.ErrNoIdentity, adapters.ErrPerToken} {
		b := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
			return nil, fmt.Errorf("source: %w", cause)
		}),

			breaker.WithFailures(1))

		for range 3 {
			if _, err := b.Fetch(context.Background(), tok); !errors.Is(err, cause) {
				t.Fatalf("fetch: %v, want %v", err, cause)
			}
		}
		if b.State() != breaker.Closed {
			t.Errorf("%v: state = %v, want closed", cause, b.State())
		}
	}
}

func TestFallbackOnlyWhenConfigured(t *testing.T) {
	src := &source{}
	src.fail.Store(true)
	b := wrap(warden.ProviderFunc(src.fetch), breaker.WithFailures(1), breaker.WithFallback([]string{"guest"}), breaker.WithOpenTimeout(time.Hour))
	if _, err := b.Fetch(context.Background(), tok); !errors.Is(err, errDown) {
		t.Fatalf("closed breaker must pass the source's error through, got %v", err)
	}
	got, err := b.Fetch(context.Background(), tok)
	if err != nil || fmt.Sprint(got) != "[guest]" {
		t.Fatalf("open with fallback: got %v, %v", got, err)
	}
	got[0] = "admin"
	if again, _ := b.Fetch(context.Background(), tok); again[0] != "guest" {
		t.Fatalf("fallback mutated through a returned slice: %v", again)
	}
}

func ExampleWrap() {
	down := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		return nil, errors.New("connection refused")
	})
	g, err := breaker.Wrap(down, breaker.WithFailures(2), breaker.WithOpenTimeout(time.Minute))
	if err != nil {
		panic(err)
	}
	for range 3 {
		_, err := g.Fetch(context.Background(), &warden.Token{Identity: "alice"})
		fmt.Println(errors.Is(err, breaker.ErrOpen), g.State())
	}
	// Output:
	// false closed
	// false open
	// true open
}

func TestFailureIf(t *testing.T) {
	errNotFound := errors.New("not found")
	b := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, errNotFound }),
		breaker.WithFailures(2),
		breaker.WithFailureIf(func(err error) bool { return !errors.Is(err, errNotFound) }))

	for range 5 {
		if _, err := b.Fetch(context.Background(), tok); !errors.Is(err, errNotFound) {
			t.Fatalf("err = %v, want the source's error passed through", err)
		}
	}
	if b.State() != breaker.Closed {
		t.Fatalf("state = %v; errors excluded by WithFailureIf tripped the breaker", b.State())
	}
}

// gobreaker counts a panic as a failure and re-panics in the caller's
// goroutine. The breaker turns it into an error instead, so the decision
// denies like for any failing source, and a provider that keeps panicking
// opens the breaker.
func TestProviderPanicIsAFailure(t *testing.T) {
	var calls atomic.Int64
	b := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		calls.Add(1)
		panic("provider bug")
	}), breaker.WithFailures(2), breaker.WithOpenTimeout(time.Hour))

	for i := range 2 {
		got, err := b.Fetch(context.Background(), tok)
		if got != nil || !errors.Is(err, adapters.ErrProviderPanic) {
			t.Fatalf("fetch %d: got %v, %v; want nil and ErrProviderPanic", i, got, err)
		}
	}
	if b.State() != breaker.Open {
		t.Fatalf("state = %v after 2 panics, want open", b.State())
	}
	if _, err := b.Fetch(context.Background(), tok); !errors.Is(err, breaker.ErrOpen) || calls.Load() != 2 {
		t.Fatalf("open: err = %v after %d calls; want ErrOpen without a call", err, calls.Load())
	}
}

// Every option refuses a value it cannot use instead of putting a default
// in its place, and so does a nil provider.
func TestWrapRefusesBadOptions(t *testing.T) {
	src := &source{}
	for name, opt := range map[string]breaker.Option{
		"0 failures":         breaker.WithFailures(0),
		"0 open timeout":     breaker.WithOpenTimeout(0),
		"negative open":      breaker.WithOpenTimeout(-time.Second),
		"0 trials":           breaker.WithTrials(0),
		"nil failure-if":     breaker.WithFailureIf(nil),
		"nil state observer": breaker.WithObserver(nil),
	} {
		if b, err := breaker.Wrap(warden.ProviderFunc(src.fetch), opt); b != nil || !errors.Is(err, warden.ErrInvalid) {
			t.Errorf("%s: got %v, %v; want nil and warden.ErrInvalid", name, b, err)
		}
	}
	if b, err := breaker.Wrap(nil); b != nil || !errors.Is(err, warden.ErrInvalid) {
		t.Errorf("nil provider: got %v, %v", b, err)
	}
}
