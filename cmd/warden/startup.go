package main

import (
	"net/http"
	"sync/atomic"
)

// startupHandler answers while `warden serve` opens the store, so that the
// port is bound (and probes get answers) before the database is touched:
// /healthz says the process is alive, /readyz that it is not ready, and
// every other request gets 503 with Retry-After. Once the API is built,
// every request goes to it.
type startupHandler struct {
	api atomic.Pointer[http.Handler]
}

func (s *startupHandler) ready(h http.Handler) { s.api.Store(&h) }

func (s *startupHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.api.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/healthz":
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	case r.Method == http.MethodGet && r.URL.Path == "/readyz":
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"unavailable","checks":{"startup":"fail"}}` + "\n"))
	default:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"error":"unavailable","message":"the server is starting"}` + "\n"))
	}
}
