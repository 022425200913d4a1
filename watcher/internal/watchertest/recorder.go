package watchertest

import (
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/watcher"
)

// Wait bounds every wait for an asynchronous outcome: long enough for a
// loaded CI machine, short enough to fail a broken build quickly.
const Wait = 10 * time.Second

// Recorder collects what one watcher hands to its callback and its observer.
type Recorder struct {
	Payloads chan string

	mu     sync.Mutex
	events []watcher.Event
	notify chan struct{}
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{Payloads: make(chan string, 1024), notify: make(chan struct{}, 1)}
}

// Callback is the update callback to register.
func (r *Recorder) Callback(payload string) { r.Payloads <- payload }

// Observe is the observer to register with watcher.WithObserver.
func (r *Recorder) Observe(ev watcher.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Events returns a copy of the events observed so far.
func (r *Recorder) Events() []watcher.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]watcher.Event(nil), r.events...)
}

// Next waits for the next callback payload and decodes it. The payload
// must be exactly a hint's canonical encoding: the watcher re-encodes what
// it received, so nothing else a sender wrote may reach a callback.
func (r *Recorder) Next(t testing.TB) watcher.Hint {
	t.Helper()
	select {
	case p := <-r.Payloads:
		h, err := watcher.DecodeHint(p)
		if err != nil {
			t.Fatalf("callback payload %q: %v", p, err)
		}
		if p != h.String() {
			t.Fatalf("callback payload %q is not the canonical hint %q", p, h.String())
		}
		return h
	case <-time.After(Wait):
		t.Fatalf("no callback within %v", Wait)
		return watcher.Hint{}
	}
}

// WaitEvent waits until an event of kind has been observed and returns it.
func (r *Recorder) WaitEvent(t testing.TB, kind watcher.EventKind) watcher.Event {
	t.Helper()
	return r.WaitEvents(t, kind, 1)[0]
}

// WaitEvents waits until n events of kind have been observed and returns them.
func (r *Recorder) WaitEvents(t testing.TB, kind watcher.EventKind, n int) []watcher.Event {
	t.Helper()
	deadline := time.After(Wait)
	for {
		var found []watcher.Event
		for _, ev := range r.Events() {
			if ev.Kind == kind {
				found = append(found, ev)
			}
		}
		if len(found) >= n {
			return found
		}
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("fewer than %d %v events within %v; saw %v", n, kind, Wait, r.Events())
		}
	}
}

// NoPayload reports whether no callback payload is queued right now.
func (r *Recorder) NoPayload() bool { return len(r.Payloads) == 0 }
