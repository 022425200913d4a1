package retry_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/retry"
)

var errDown = errors.New("down")

// wrap is retry.Wrap for options known to be good.
func wrap(p warden.Provider, opts ...retry.Option) warden.Provider {
	r, err := retry.Wrap(p, opts...)
	if err != nil {
		panic(err)
	}
	return r
}

// flaky fails the first n calls.
func flaky(n int64, calls *atomic.Int64) warden.ProviderFunc {
	return func(ctx context.Context, tok *warden.Token) ([]string, error) {
		if calls.Add(1) <= n {
			return nil, errDown
		}
		return []string{"g"}, nil
	}
}

func TestRetry(t *testing.T) {
	tests := []struct {
		name      string
		failures  int64
		attempts  int
		wantCalls int64
		wantErr   bool
	}{
		{"first try", 0, 3, 1, false},
		{"recovers on third", 2, 3, 3, false},
		{"gives up after attempts", 5, 3, 3, true},
		{"one attempt means no retry", 1, 1, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			f := wrap(flaky(tt.failures, &calls), retry.WithAttempts(tt.attempts), retry.WithBackoff(time.Microsecond, time.Millisecond))
			got, err := f.Fetch(context.Background(), &warden.Token{Identity: "a"})
			if calls.Load() != tt.wantCalls {
				t.Fatalf("calls = %d, want %d", calls.Load(), tt.wantCalls)
			}
			if tt.wantErr {
				if !errors.Is(err, errDown) || got != nil {
					t.Fatalf("got %v, %v", got, err)
				}
			} else if err != nil || got[0] != "g" {
				t.Fatalf("got %v, %v", got, err)
			}
		})
	}
}

func TestStopsWhenContextEnds(t *testing.T) {
	var calls atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	f := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		calls.Add(1)
		cancel()
		return nil, errDown
	}),

		retry.WithAttempts(10), retry.WithBackoff(time.Hour, time.Hour))

	_, err := f.Fetch(ctx, &warden.Token{Identity: "a"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("calls = %d, want 1", calls.Load())
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	var calls atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	f := wrap(flaky(100, &calls), retry.WithAttempts(10), retry.WithBackoff(time.Hour, time.Hour))
	done := make(chan error)
	go func() { _, err := f.Fetch(ctx, &warden.Token{Identity: "a"}); done <- err }()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errDown) {
		t.Fatalf("err = %v, want Canceled joined with the last upstream error", err)
	}
}

func TestNoRetryOnPermanentOrFiltered(t *testing.T) {
	var calls atomic.Int64
	f := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		calls.Add(1)
		return nil, retry.Permanent(errDown)
	}),

		retry.WithBackoff(time.Microsecond, time.Microsecond))

	_, err := f.Fetch(context.Background(), nil)
	if calls.Load() != 1 || !errors.Is(err, errDown) || !errors.Is(err, retry.ErrPermanent) {
		t.Fatalf("calls=%d err=%v", calls.Load(), err)
	}
	calls.Store(0)
	f = wrap(flaky(5, &calls), retry.WithRetryIf(func(err error) bool { return false }))
	if _, err := f.Fetch(context.Background(), nil); calls.Load() != 1 || err == nil {
		t.Fatalf("WithRetryIf(false): calls=%d err=%v", calls.Load(), err)
	}
}

func ExampleWrap() {
	var calls atomic.Int64
	src := warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		if calls.Add(1) < 3 {
			return nil, errors.New("connection reset")
		}
		return []string{"editors"}, nil
	})
	p, err := retry.Wrap(src, retry.WithAttempts(5), retry.WithBackoff(time.Millisecond, 10*time.Millisecond))
	if err != nil {
		panic(err)
	}
	groups, err := p.Fetch(context.Background(), &warden.Token{Identity: "alice"})
	fmt.Println(groups, err, calls.Load())
	// Output: [editors] <nil> 3
}

// A panic is a bug, not a transient failure: it becomes an error at once,
// without another attempt, rather than unwinding through the caller.
func TestProviderPanicIsAnErrorNotRetried(t *testing.T) {
	var calls atomic.Int64
	f := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		calls.Add(1)
		panic("provider bug")
	}),

		retry.WithAttempts(5), retry.WithBackoff(time.Nanosecond, time.Nanosecond))

	got, err := f.Fetch(context.Background(), &warden.Token{Identity: "a"})
	if got != nil || !errors.Is(err, adapters.ErrProviderPanic) {
		t.Fatalf("got %v, %v; want nil and ErrProviderPanic", got, err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("calls = %d, want 1", n)
	}
}

// delays runs a fetch that always fails through Wrap with the given random
// draw and returns the delay asked for before each retry.
func delays(t *testing.T, attempts int, randN func(time.Duration) time.Duration, opts ...retry.Option) []time.Duration {
	t.Helper()
	var got []time.Duration
	opts = append(opts, retry.WithAttempts(attempts),
		retry.WithTestHooks(func(_ context.Context, d time.Duration) error {
			got = append(got, d)
			return nil
		}, randN))
	f := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, errDown }), opts...)
	if _, err := f.Fetch(context.Background(), &warden.Token{Identity: "a"}); !errors.Is(err, errDown) {
		t.Fatalf("err = %v, want the last upstream error", err)
	}
	if len(got) != attempts-1 {
		t.Fatalf("%d waits for %d attempts, want %d", len(got), attempts, attempts-1)
	}
	return got
}

func TestBackoffDoublesUpToTheCapWithJitterBounds(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name  string
		randN func(time.Duration) time.Duration
		want  []time.Duration
	}{
		// The highest draw gives the nominal delays: doubling, then capped.
		{"highest draw", func(n time.Duration) time.Duration { return n - 1 },
			[]time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1000 * ms, 1000 * ms}},
		// The lowest draw gives half of each nominal delay.
		{"lowest draw", func(time.Duration) time.Duration { return 0 },
			[]time.Duration{50 * ms, 100 * ms, 200 * ms, 400 * ms, 500 * ms, 500 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := delays(t, 7, tt.randN, retry.WithBackoff(100*ms, time.Second))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("delays = %v, want %v", got, tt.want)
			}
		})
	}
}

// With the real random source, every delay stays within the documented
// 50-100 % of its nominal value, and the draws are not all the same.
func TestJitterWithinBounds(t *testing.T) {
	const ms = time.Millisecond
	nominal := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1000 * ms, 1000 * ms}
	seen := map[time.Duration]bool{}
	for range 200 {
		got := delays(t, 7, nil, retry.WithBackoff(100*ms, time.Second))
		for i, d := range got {
			if d < nominal[i]/2 || d > nominal[i] {
				t.Fatalf("delay %d = %v, outside [%v, %v]", i+1, d, nominal[i]/2, nominal[i])
			}
			seen[d] = true
		}
	}
	if len(seen) < 10 {
		t.Fatalf("only %d distinct delays in 1200 draws: no jitter", len(seen))
	}
}

func TestDefaultBackoff(t *testing.T) {
	highest := func(n time.Duration) time.Duration { return n - 1 }
	got := delays(t, 7, highest)
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, 1600 * time.Millisecond, retry.DefaultMax}
	if retry.DefaultBase != want[0] || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("default delays = %v, want %v", got, want)
	}
}

// Every option refuses a value it cannot use instead of putting a default
// in its place, and so does a nil provider.
func TestWrapRefusesBadOptions(t *testing.T) {
	ok := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, nil })
	for name, opt := range map[string]retry.Option{
		"no attempts":        retry.WithAttempts(0),
		"negative attempts":  retry.WithAttempts(-1),
		"zero base":          retry.WithBackoff(0, time.Second),
		"cap below the base": retry.WithBackoff(time.Second, time.Millisecond),
		"nil retry-if":       retry.WithRetryIf(nil),
	} {
		if p, err := retry.Wrap(ok, opt); p != nil || !errors.Is(err, warden.ErrInvalid) {
			t.Errorf("%s: got %v, %v; want nil and warden.ErrInvalid", name, p, err)
		}
	}
	if p, err := retry.Wrap(nil); p != nil || !errors.Is(err, warden.ErrInvalid) {
		t.Errorf("nil provider: got %v, %v", p, err)
	}
}
