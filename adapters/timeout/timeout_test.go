package timeout_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/timeout"
)

// wrap is timeout.Wrap with WithDuration(d).
func wrap(p warden.Provider, d time.Duration) warden.Provider {
	w, err := timeout.Wrap(p, timeout.WithDuration(d))
	if err != nil {
		panic(err)
	}
	return w
}

func TestHangingProviderTimesOut(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	// This provider ignores its context entirely.
	p := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		<-hang
		return []string{"admin"}, nil
	}), 10*time.Millisecond)
	got, err := p.Fetch(context.Background(), &warden.Token{Identity: "a"})
	if got != nil || !errors.Is(err, timeout.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestContextAwareProviderTimesOut(t *testing.T) {
	p := wrap(warden.ProviderFunc(func(ctx context.Context, _ *warden.Token) ([]string, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}), 10*time.Millisecond)
	if _, err := p.Fetch(context.Background(), nil); !errors.Is(err, timeout.ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
}

func TestFastAnswerAndErrorPassThrough(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		list []string
		err  error
	}{
		{"answer", []string{"g"}, nil},
		{"empty answer", []string{}, nil},
		{"error", nil, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return tt.list, tt.err }), time.Minute)
			got, err := f.Fetch(context.Background(), nil)
			if !errors.Is(err, tt.err) || fmt.Sprint(got) != fmt.Sprint(tt.list) {
				t.Fatalf("got %v, %v", got, err)
			}
			if errors.Is(err, timeout.ErrTimeout) {
				t.Fatal("not a timeout")
			}
		})
	}
}

func TestCallerCancelIsNotATimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := wrap(warden.ProviderFunc(func(ctx context.Context, _ *warden.Token) ([]string, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}), time.Minute)
	if _, err := f.Fetch(ctx, nil); !errors.Is(err, context.Canceled) || errors.Is(err, timeout.ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
}

func ExampleWrap() {
	slow := warden.ProviderFunc(func(ctx context.Context, _ *warden.Token) ([]string, error) {
		<-ctx.Done() // a source that never answers
		return nil, ctx.Err()
	})
	p, err := timeout.Wrap(slow, timeout.WithDuration(5*time.Millisecond))
	if err != nil {
		panic(err)
	}
	_, err = p.Fetch(context.Background(), &warden.Token{Identity: "alice"})
	fmt.Println(errors.Is(err, timeout.ErrTimeout))
	// Output: true
}

// A panic in the provider happens in the wrapper's goroutine, where no
// caller could recover it: it must come back as an error.
func TestProviderPanicIsAnError(t *testing.T) {
	f := wrap(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		panic("provider bug")
	}), time.Hour)
	got, err := f.Fetch(context.Background(), &warden.Token{Identity: "alice"})
	if got != nil || !errors.Is(err, adapters.ErrProviderPanic) || errors.Is(err, timeout.ErrTimeout) {
		t.Fatalf("got %v, %v; want nil and ErrProviderPanic", got, err)
	}
}

// A bound that is not positive is refused, not read as "no bound", and so
// is a nil provider; without WithDuration the bound is DefaultDuration.
func TestWrapRefusesBadOptions(t *testing.T) {
	ok := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, nil })
	for _, d := range []time.Duration{0, -time.Second} {
		if p, err := timeout.Wrap(ok, timeout.WithDuration(d)); p != nil || !errors.Is(err, warden.ErrInvalid) {
			t.Errorf("WithDuration(%v): got %v, %v; want nil and warden.ErrInvalid", d, p, err)
		}
	}
	if p, err := timeout.Wrap(nil); p != nil || !errors.Is(err, warden.ErrInvalid) {
		t.Errorf("nil provider: got %v, %v", p, err)
	}
	var deadline time.Time
	var hasDeadline bool
	p, err := timeout.Wrap(warden.ProviderFunc(func(ctx context.Context, _ *warden.Token) ([]string, error) {
		deadline, hasDeadline = ctx.Deadline()
		return nil, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	_, err = p.Fetch(context.Background(), nil)
	after := time.Now()
	// The deadline was set between before and after, DefaultDuration on.
	if err != nil || !hasDeadline || deadline.Sub(before) < timeout.DefaultDuration || deadline.Sub(after) > timeout.DefaultDuration {
		t.Fatalf("default bound: deadline %v after the call began, err %v; want %v", deadline.Sub(before), err, timeout.DefaultDuration)
	}
}
