package filewatch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/casbin/casbin/v2/persist"
	"github.com/fsnotify/fsnotify"
)

// ErrReloadPanicked is reported (wrapped, with the panic value) when a
// reload function or the update callback panics. The watcher recovers: it
// runs on its own goroutine, where an unrecovered panic would end the
// process instead of leaving the last good policy in force.
var ErrReloadPanicked = errors.New("filewatch: reload panicked")

// DefaultQuiet is how long a file must be left alone before it is reloaded.
const DefaultQuiet = 50 * time.Millisecond

// Watcher watches one file and runs reloads when it changes. It is safe for
// concurrent use.
type Watcher struct {
	path   string
	quiet  time.Duration
	target string // path resolved through symlinks, as last seen by run

	mu       sync.Mutex
	reloads  []func(context.Context) error
	callback func(string)
	onError  func(error)

	fsw    *fsnotify.Watcher
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

var _ persist.Watcher = (*Watcher)(nil)

// Option configures a Watcher.
type Option func(*Watcher)

// WithReload adds a function to run after the file changed, such as
// (*jsonfile.File).Reload or (*enforcer.Enforcer).Reload. Its error goes to
// the error handler.
func WithReload(f func(context.Context) error) Option {
	return func(w *Watcher) { w.reloads = append(w.reloads, f) }
}

// WithErrorHandler sets the function told about failed reloads and watch
// errors; without one they are dropped (the last good policy stays in force
// either way).
func WithErrorHandler(f func(error)) Option { return func(w *Watcher) { w.onError = f } }

// WithQuiet sets how long the file must be left alone before a reload
// (DefaultQuiet if <= 0), so that a file written in several steps is loaded
// once, after the last one.
func WithQuiet(d time.Duration) Option { return func(w *Watcher) { w.quiet = d } }

// New starts watching the file at path. The file need not exist yet; its
// directory must.
func New(path string, opts ...Option) (*Watcher, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("filewatch: %w", err)
	}
	w := &Watcher{path: abs, quiet: DefaultQuiet, done: make(chan struct{})}
	for _, o := range opts {
		o(w)
	}
	if w.quiet <= 0 {
		w.quiet = DefaultQuiet
	}
	w.fsw, err = fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("filewatch: %w", err)
	}
	if err := w.fsw.Add(filepath.Dir(abs)); err != nil {
		w.fsw.Close()
		return nil, fmt.Errorf("filewatch: watch %s: %w", filepath.Dir(abs), err)
	}
	// Resolved after the watch starts, so that a swap in between is seen.
	w.target = resolve(abs)
	w.ctx, w.cancel = context.WithCancel(context.Background())
	go w.run()
	return w, nil
}

// Path returns the absolute path of the watched file.
func (w *Watcher) Path() string { return w.path }

func (w *Watcher) run() {
	defer close(w.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod || !w.affects(filepath.Clean(ev.Name)) {
				continue
			}
			// A removed file is usually about to be replaced; the
			// reload after the quiet period reads whatever is there.
			timer.Reset(w.quiet)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			w.report(fmt.Errorf("filewatch: %s: %w", w.path, err))
		case <-timer.C:
			w.fire()
		}
	}
}

// affects reports whether an event on the directory entry name may have
// changed what the watched path reads: an event on the path itself, on the
// file it resolves to, or any event after which the path resolves to another
// file. The last case is how Kubernetes updates a mounted ConfigMap: the file
// is a symlink to ..data/FILE and an update renames a new ..data symlink over
// the old one, so no event names the file. Only the run goroutine calls it.
func (w *Watcher) affects(name string) bool {
	prev := w.target
	w.target = resolve(w.path)
	return name == w.path || (prev != "" && name == prev) || w.target != prev
}

// resolve returns the file path finally names after all symlinks, or ""
// while it does not exist.
func resolve(path string) string {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return ""
	}
	return target
}

func (w *Watcher) fire() {
	w.mu.Lock()
	reloads := append([]func(context.Context) error(nil), w.reloads...)
	cb := w.callback
	w.mu.Unlock()
	var errs []error
	for _, f := range reloads {
		if err := safely(func() error { return f(w.ctx) }); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		w.report(fmt.Errorf("filewatch: reload after %s changed (last good policy kept): %w", w.path, err))
	}
	if cb != nil {
		if err := safely(func() error { cb(w.path); return nil }); err != nil {
			w.report(fmt.Errorf("filewatch: update callback after %s changed: %w", w.path, err))
		}
	}
}

// safely runs f, turning a panic into an error wrapping ErrReloadPanicked.
func safely(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: %v", ErrReloadPanicked, v)
		}
	}()
	return f()
}

func (w *Watcher) report(err error) {
	w.mu.Lock()
	h := w.onError
	w.mu.Unlock()
	if h != nil {
		h(err)
	}
}

// SetUpdateCallback implements persist.Watcher: f is called with the file's
// path after each change (after the WithReload functions).
func (w *Watcher) SetUpdateCallback(f func(string)) error {
	w.mu.Lock()
	w.callback = f
	w.mu.Unlock()
	return nil
}

// Update implements persist.Watcher. A file change is seen by every process
// watching the file, so there is nothing to announce.
func (w *Watcher) Update() error { return nil }

// Close implements persist.Watcher: it stops watching and waits for a
// running reload to finish.
func (w *Watcher) Close() {
	w.cancel()
	w.fsw.Close()
	<-w.done
}
