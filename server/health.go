package server

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/wardenhq/warden/middleware"
)

// Health is the body of /healthz and /readyz.
type Health struct {
	// Status is "ok" or "unavailable".
	Status string `json:"status"`
	// Checks maps each readiness check to "ok" or "fail".
	Checks map[string]string `json:"checks,omitempty"`
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	middleware.MarkChecked(r.Context())
	writeJSON(w, http.StatusOK, Health{Status: "ok"})
}

// handleReady runs every check at once, each bounded by the ready timeout.
// A failure's cause is logged, never sent: the answer holds only the
// generic check names New accepted and "ok" or "fail".
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	middleware.MarkChecked(r.Context())
	ctx, cancel := context.WithTimeout(r.Context(), s.ready)
	defer cancel()
	h := Health{Status: "ok", Checks: make(map[string]string, len(s.checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range s.checks {
		wg.Go(func() {
			err := runCheck(ctx, c)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				h.Status, h.Checks[c.Name] = "unavailable", "fail"
				s.logger.WarnContext(r.Context(), "server: readiness check failed", "check", c.Name, "error", err)
				return
			}
			h.Checks[c.Name] = "ok"
		})
	}
	wg.Wait()
	status := http.StatusOK
	if h.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, h)
}

// runCheck returns when c does or when ctx ends, whichever is first, so a
// check that ignores its context cannot hold /readyz.
func runCheck(ctx context.Context, c Check) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- errors.New("check panicked")
			}
		}()
		done <- c.Check(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
