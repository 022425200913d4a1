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

// TestReadinessCheckNamesAreGeneric is issue 10 item 15: /readyz needs no
// token, so New refuses a check whose name could carry an address.
func TestReadinessCheckNamesAreGeneric(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	ok := func(context.Context) error { return nil }
	for _, tt := range []struct {
		name string
		good bool
	}{
		{"redis", true}, {"redis_2", true}, {"sql-groups", true},
		{"redis:10.0.0.7:6379", false}, {"db.internal", false}, {"sql:postgres", false},
		{"postgres://u:p@h/db", false}, {"Redis", false}, {"", false}, {"a b", false},
	} {
		_, err := server.New(server.WithPolicy(e.policy), server.WithAdmin(e.admin), server.WithAuth(e.auth),
			server.WithAudit(e.audit), server.WithReadiness(server.Check{Name: tt.name, Check: ok}))
		if (err == nil) != tt.good {
			t.Errorf("check name %q: error %v, want accepted=%v", tt.name, err, tt.good)
		}
	}
}
