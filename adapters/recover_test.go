package adapters_test

import (
	"context"
	"errors"
	"io"
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
