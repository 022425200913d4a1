package watcher_test

import (
	"testing"
	"time"

	"github.com/wardenhq/warden/watcher"
)

func TestBackoffDelay(t *testing.T) {
	b := watcher.Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2, Jitter: 0.5}
	tests := []struct {
		attempt int
		ceil    time.Duration // the delay without jitter
	}{
		{0, 100 * time.Millisecond},
		{1, 200 * time.Millisecond},
		{3, 800 * time.Millisecond},
		{4, time.Second},   // capped
		{500, time.Second}, // no overflow
		{-1, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := b.Delay(tt.attempt)
			if d > tt.ceil || d < tt.ceil/2 {
				t.Fatalf("Delay(%d) = %v; want in [%v, %v]", tt.attempt, d, tt.ceil/2, tt.ceil)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("Delay(%d) always %v; want jitter", tt.attempt, seen)
		}
	}
}

func TestBackoffWithoutJitterIsExact(t *testing.T) {
	b := watcher.Backoff{Initial: 10 * time.Millisecond, Max: time.Second, Multiplier: 3}
	if got := b.Delay(2); got != 90*time.Millisecond {
		t.Fatalf("Delay(2) = %v; want 90ms", got)
	}
}

// A zero or nonsensical Backoff falls back to the defaults instead of
// retrying in a tight loop.
func TestBackoffZeroValue(t *testing.T) {
	var b watcher.Backoff
	d := b.Delay(0)
	if d < watcher.DefaultBackoff.Initial/2 || d > watcher.DefaultBackoff.Initial {
		t.Fatalf("zero Backoff Delay(0) = %v; want about %v", d, watcher.DefaultBackoff.Initial)
	}
	if d := b.Delay(100); d > watcher.DefaultBackoff.Max {
		t.Fatalf("zero Backoff Delay(100) = %v; want <= %v", d, watcher.DefaultBackoff.Max)
	}
}
