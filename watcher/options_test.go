package watcher_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wardenhq/warden/watcher"
)

// Invalid options are reported before any connection is attempted (the nil
// transport would panic if it were used).
func TestNewRejectsInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  watcher.Option
		want string
	}{
		{"empty channel", watcher.WithChannel(""), "WithChannel"},
		{"zero timeout", watcher.WithTimeout(0), "WithTimeout"},
		{"negative health interval", watcher.WithHealthInterval(-1), "WithHealthInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := watcher.New(context.Background(), nil, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, watcher.ErrUnavailable) {
				t.Fatalf("err = %v; want a configuration error naming %s", err, tt.want)
			}
		})
	}
}

func TestNewRejectsNilTransport(t *testing.T) {
	if _, err := watcher.New(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "transport is nil") {
		t.Fatalf("err = %v; want a nil transport error", err)
	}
}
