package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
)

func TestRecover(t *testing.T) {
	tests := []struct {
		name  string
		value any
		also  error // an error the result must also match, if any
	}{
		{"string", "boom", nil},
		{"error value", io.ErrUnexpectedEOF, io.ErrUnexpectedEOF},
		{"nil", nil, nil}, // panic(nil) is a *runtime.PanicNilError since Go 1.21
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapters.Recover(warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
				panic(tt.value)
			}))
			got, err := f.Fetch(context.Background(), &warden.Token{Identity: "alice"})
			if got != nil || !errors.Is(err, adapters.ErrProviderPanic) {
				t.Fatalf("got %v, %v; want nil and ErrProviderPanic", got, err)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Fatalf("err = %v; want it to match the panic value %v", err, tt.also)
			}
			var pe *adapters.PanicError
			if !errors.As(err, &pe) || !strings.Contains(string(pe.Stack), "recover_test.go") {
				t.Fatalf("want a *PanicError with the provider's stack, got %#v", err)
			}
		})
	}
}

func TestRecoverPassesAnswersThrough(t *testing.T) {
	down := errors.New("down")
	f := adapters.Recover(warden.ProviderFunc(func(_ context.Context, tok *warden.Token) ([]string, error) {
		if tok.Identity == "bob" {
			return nil, down
		}
		return []string{"g"}, nil
	}))
	if got, err := f.Fetch(context.Background(), &warden.Token{Identity: "alice"}); err != nil || len(got) != 1 || got[0] != "g" {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := f.Fetch(context.Background(), &warden.Token{Identity: "bob"}); err != down {
		t.Fatalf("err = %v, want the provider's own error unchanged", err)
	}
}

// A panicking observer returns to its caller as if it had not panicked;
// its panics are logged, the first with its stack, then the 2nd, 4th,
// 8th...; an observer that does not panic gets every event.
func TestRecoverObserver(t *testing.T) {
	var logged strings.Builder
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	var seen []int
	f := adapters.RecoverObserver("test", func(e int) {
		seen = append(seen, e)
		if e%2 == 1 {
			panic(fmt.Sprintf("observer bug %d", e))
		}
	}, logger)
	for e := range 20 {
		f(e) // a panic escaping here fails the test binary
	}
	if len(seen) != 20 {
		t.Fatalf("observer got %d events, want 20", len(seen))
	}
	lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
	// 10 panics: logged at the 1st, 2nd, 4th and 8th.
	if len(lines) != 4 {
		t.Fatalf("%d log lines for 10 panics, want 4:\n%s", len(lines), logged.String())
	}
	for i, want := range []string{"panics=1", "panics=2", "panics=4", "panics=8"} {
		if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], "observer=test") || !strings.Contains(lines[i], "level=ERROR") {
			t.Errorf("log line %d = %q, want %s", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[0], "observer bug 1") || !strings.Contains(lines[0], "recover_test.go") || strings.Contains(lines[1], "stack=") {
		t.Errorf("the first line must hold the panic value and stack, the others no stack:\n%s", logged.String())
	}
	if adapters.RecoverObserver[int]("nil", nil, logger) != nil {
		t.Error("RecoverObserver(nil) != nil")
	}
}
