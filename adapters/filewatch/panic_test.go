package filewatch_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/filewatch"
	"github.com/wardenhq/warden/adapters/jsonfile"
)

// TestPanickingReloadIsReported checks that a reload (or update callback)
// that panics on the watcher's goroutine is reported like a failed reload,
// the last good data stays, and the watcher goes on reloading.
func TestPanickingReloadIsReported(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	write(t, path, `{"users": {"john": ["read:posts"]}}`)
	f, err := jsonfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var panicking atomic.Bool
	panicking.Store(true)
	reloaded := make(chan error, 16)
	errs := make(chan error, 16)
	w, err := filewatch.New(path,
		filewatch.WithReload(func(ctx context.Context) error {
			if panicking.Load() {
				panic("half-applied reload")
			}
			err := f.Reload(ctx)
			reloaded <- err
			return err
		}),
		filewatch.WithErrorHandler(func(err error) { errs <- err }),
		filewatch.WithQuiet(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	callbackPanics := make(chan struct{}, 16)
	if err := w.SetUpdateCallback(func(string) {
		if panicking.Load() {
			callbackPanics <- struct{}{}
			panic("callback")
		}
	}); err != nil {
		t.Fatal(err)
	}
	perms := func() string {
		p, err := f.Permissions(context.Background(), &warden.Token{Identity: "john"})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(p, " ")
	}

	replace(t, path, `{"users": {"john": ["write:posts"]}}`)
	rep := wait(t, errs, "report of the panicking reload")
	if !errors.Is(rep, filewatch.ErrReloadPanicked) || !strings.Contains(rep.Error(), "half-applied reload") ||
		!strings.Contains(rep.Error(), "last good policy kept") || !strings.Contains(rep.Error(), "policy.json") {
		t.Fatalf("report = %v, want ErrReloadPanicked naming the file and the panic", rep)
	}
	wait(t, callbackPanics, "update callback")
	rep = wait(t, errs, "report of the panicking callback")
	if !errors.Is(rep, filewatch.ErrReloadPanicked) || !strings.Contains(rep.Error(), "callback") {
		t.Fatalf("report = %v, want ErrReloadPanicked from the callback", rep)
	}
	if got := perms(); got != "read:posts" {
		t.Fatalf("after a panicking reload: %q, want the last good data", got)
	}

	// The watcher survived and still reloads.
	panicking.Store(false)
	drain(errs)
	replace(t, path, `{"users": {"john": ["edit:posts"]}}`)
	// A reload of an earlier event may still land first; each wait is
	// bounded, so a watcher that stopped fails the test.
	for wait(t, reloaded, "reload after the panic") != nil || perms() != "edit:posts" {
	}
}
