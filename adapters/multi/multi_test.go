package multi_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/multi"
)

var errDown = errors.New("down")

func static(list ...string) warden.Provider {
	return warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return list, nil })
}

var failing = warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { return nil, errDown })

// blocking waits for its context: it shows that a failure cancels the rest.
var blocking = warden.ProviderFunc(func(ctx context.Context, _ *warden.Token) ([]string, error) {
	<-ctx.Done()
	return nil, ctx.Err()
})

func TestCombine(t *testing.T) {
	var reported []int
	tests := []struct {
		name    string
		sources []warden.Provider
		opts    []multi.Option
		want    []string
		wantErr error
	}{
		{"union dedups", []warden.Provider{static("a", "b", "a"), static("b", "c")}, nil, []string{"a", "b", "c"}, nil},
		{"union of empties", []warden.Provider{static(), static()}, nil, []string{}, nil},
		{"intersection", []warden.Provider{static("a", "b", "c"), static("c", "a", "x")}, []multi.Option{multi.Intersection()}, []string{"a", "c"}, nil},
		{"intersection with empty", []warden.Provider{static("a"), static()}, []multi.Option{multi.Intersection()}, []string{}, nil},
		{"one failing fails union", []warden.Provider{static("a"), failing}, nil, nil, errDown},
		{"one failing fails intersection", []warden.Provider{static("a"), failing}, []multi.Option{multi.Intersection()}, nil, errDown},
		{"failure cancels the others", []warden.Provider{blocking, failing}, nil, nil, errDown},
		{"best effort skips failing", []warden.Provider{failing, static("a")}, []multi.Option{multi.WithBestEffort(func(i int, err error) { reported = append(reported, i) })}, []string{"a"}, nil},
		{"best effort, all failing", []warden.Provider{failing, failing}, []multi.Option{multi.WithBestEffort(nil)}, nil, multi.ErrAllFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := multi.Wrap(tt.sources, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Fetch(context.Background(), &warden.Token{Identity: "alice"})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("got %v, %v; want %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
	if fmt.Sprint(reported) != "[0]" {
		t.Fatalf("best effort reported %v, want [0]", reported)
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := multi.Wrap(nil); !errors.Is(err, multi.ErrConfig) || !errors.Is(err, warden.ErrInvalid) {
		t.Fatalf("no sources: %v", err)
	}
	if _, err := multi.Wrap([]warden.Provider{static()}, multi.Intersection(), multi.WithBestEffort(nil)); !errors.Is(err, multi.ErrConfig) {
		t.Fatalf("best-effort intersection: %v", err)
	}
	if _, err := multi.Wrap([]warden.Provider{static(), nil}); !errors.Is(err, multi.ErrConfig) {
		t.Fatalf("nil provider: %v", err)
	}
}

func ExampleWrap() {
	fromToken := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		return []string{"staff"}, nil
	})
	fromDB := warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) {
		return []string{"editors", "staff"}, nil
	})
	g, err := multi.Wrap([]warden.Provider{fromToken, fromDB})
	if err != nil {
		panic(err)
	}
	groups, err := g.Fetch(context.Background(), &warden.Token{Identity: "alice"})
	fmt.Println(groups, err)
	// Output: [staff editors] <nil>
}

var panicking = warden.ProviderFunc(func(context.Context, *warden.Token) ([]string, error) { panic("provider bug") })

// Sources run in goroutines of their own, where no caller could recover a
// panic: a panicking source must fail like any failing source.
func TestPanickingSourceIsAnError(t *testing.T) {
	tests := []struct {
		name    string
		sources []warden.Provider
		opts    []multi.Option
	}{
		{"alone", []warden.Provider{panicking}, nil},
		{"union", []warden.Provider{static("a"), panicking}, nil},
		{"intersection", []warden.Provider{panicking, static("a")}, []multi.Option{multi.Intersection()}},
		{"best effort, all fail", []warden.Provider{panicking, failing}, []multi.Option{multi.WithBestEffort(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := multi.Wrap(tt.sources, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.Fetch(context.Background(), &warden.Token{Identity: "alice"})
			if got != nil || !errors.Is(err, adapters.ErrProviderPanic) {
				t.Fatalf("got %v, %v; want nil and ErrProviderPanic", got, err)
			}
		})
	}
}

func TestBestEffortReportsPanic(t *testing.T) {
	var reported error
	f, err := multi.Wrap([]warden.Provider{panicking, static("a")},
		multi.WithBestEffort(func(_ int, err error) { reported = err }))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Fetch(context.Background(), &warden.Token{Identity: "alice"})
	if err != nil || !reflect.DeepEqual(got, []string{"a"}) || !errors.Is(reported, adapters.ErrProviderPanic) {
		t.Fatalf("got %v, %v, reported %v; want [a] and the panic reported", got, err, reported)
	}
}
