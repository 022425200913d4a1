package retry_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/retry"
)

var errDown = errors.New("down")

// flaky fails the first n calls.
func flaky(n int64, calls *atomic.Int64) adapters.Fetch {
	return func(ctx context.Context, tok *adapters.Token) ([]string, error) {
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
			f := retry.Wrap(flaky(tt.failures, &calls), retry.WithAttempts(tt.attempts), retry.WithBackoff(time.Microsecond, time.Millisecond))
			got, err := f(context.Background(), &adapters.Token{Identity: "a"})
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
	f := retry.Wrap(func(context.Context, *adapters.Token) ([]string, error) {
		calls.Add(1)
		cancel() // the request ends while the first attempt fails
		return nil, errDown
	}, retry.WithAttempts(10), retry.WithBackoff(time.Hour, time.Hour))
	_, err := f(ctx, &adapters.Token{Identity: "a"})
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
	f := retry.Wrap(flaky(100, &calls), retry.WithAttempts(10), retry.WithBackoff(time.Hour, time.Hour))
	done := make(chan error)
	go func() { _, err := f(ctx, &adapters.Token{Identity: "a"}); done <- err }()
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
	f := retry.Wrap(func(context.Context, *adapters.Token) ([]string, error) {
		calls.Add(1)
		return nil, retry.Permanent(errDown)
	}, retry.WithBackoff(time.Microsecond, time.Microsecond))
	_, err := f(context.Background(), nil)
	if calls.Load() != 1 || !errors.Is(err, errDown) || !errors.Is(err, retry.ErrPermanent) {
		t.Fatalf("calls=%d err=%v", calls.Load(), err)
	}
	calls.Store(0)
	f = retry.Wrap(flaky(5, &calls), retry.WithRetryIf(func(err error) bool { return false }))
	if _, err := f(context.Background(), nil); calls.Load() != 1 || err == nil {
		t.Fatalf("WithRetryIf(false): calls=%d err=%v", calls.Load(), err)
	}
}

func ExampleGroups() {
	var calls atomic.Int64
	var src adapters.GroupsFunc = func(ctx context.Context, tok *adapters.Token) ([]string, error) {
		if calls.Add(1) < 3 {
			return nil, errors.New("connection reset")
		}
		return []string{"editors"}, nil
	}
	p := retry.Groups(src, retry.WithAttempts(5), retry.WithBackoff(time.Millisecond, 10*time.Millisecond))
	groups, err := p.Groups(context.Background(), &adapters.Token{Identity: "alice"})
	fmt.Println(groups, err, calls.Load())
	// Output: [editors] <nil> 3
}

// A panic is a bug, not a transient failure: it becomes an error at once,
// without another attempt, rather than unwinding through the caller.
func TestProviderPanicIsAnErrorNotRetried(t *testing.T) {
	var calls atomic.Int64
	f := retry.Wrap(func(context.Context, *adapters.Token) ([]string, error) {
		calls.Add(1)
		panic("provider bug")
	}, retry.WithAttempts(5), retry.WithBackoff(time.Nanosecond, time.Nanosecond))
	got, err := f(context.Background(), &adapters.Token{Identity: "a"})
	if got != nil || !errors.Is(err, adapters.ErrProviderPanic) {
		t.Fatalf("got %v, %v; want nil and ErrProviderPanic", got, err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("calls = %d, want 1", n)
	}
}
