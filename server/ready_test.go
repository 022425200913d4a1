package server_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/server"
)

func TestReadiness(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name   string
		check  func(context.Context) error
		want   int
		status string
	}{
		{"answers", func(context.Context) error { return nil }, http.StatusOK, "ok"},
		{"fails", func(context.Context) error { return errors.New("redis: connection refused at 10.0.0.7") }, http.StatusServiceUnavailable, "fail"},
		// A check that ignores its context is cut off by the timeout.
		{"hangs", func(context.Context) error { <-release; return nil }, http.StatusServiceUnavailable, "fail"},
		{"panics", func(context.Context) error { panic("boom") }, http.StatusServiceUnavailable, "fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, dbtest.SQLite, server.WithReadyTimeout(50*time.Millisecond),
				server.WithReadiness(server.Check{Name: "provider", Check: tt.check}))
			res := e.do("GET", "/readyz", "", "")
			if res.status != tt.want {
				t.Fatalf("status = %d, want %d; %s", res.status, tt.want, res.body)
			}
			var h server.Health
			res.json(t, &h)
			if h.Checks["provider"] != tt.status || h.Checks["database"] != "ok" {
				t.Errorf("checks = %v", h.Checks)
			}
			if strings.Contains(string(res.body), "10.0.0.7") {
				t.Errorf("readyz leaks the cause: %s", res.body)
			}
		})
	}
}
