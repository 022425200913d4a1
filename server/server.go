package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/health"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/policyadmin"
)

// Defaults of a Server.
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultReadyTimeout = 2 * time.Second
	// MaxCheckItems bounds the list form of /v1/check.
	MaxCheckItems = 100
	// MaxListLimit bounds the limit of /v1/rules and /v1/audit.
	MaxListLimit = 1000
)

// Check is one readiness check (health.Check: package config builds
// them too, and imports health rather than server). Its name must pass
// health.ValidName: /readyz answers without a token.
type Check = health.Check

// DecisionObserver is told about every decision /v1/check makes: its
// result ("allow", "deny" or "error") and how long it took.
type DecisionObserver func(result string, latency time.Duration)

// Server is the HTTP API. Build it with New and serve Handler.
type Server struct {
	policy   *enforcer.Enforcer
	admin    *enforcer.Enforcer
	auth     *middleware.Auth
	audit    *audit.Log
	logger   *slog.Logger
	checks   []Check
	maxBody  int64
	ready    time.Duration
	metrics  http.Handler
	observe  DecisionObserver
	onChange ChangeObserver
	admins   []string
}

// Option configures a Server.
type Option func(*Server)

// WithPolicy sets the served policy's enforcer (required).
func WithPolicy(e *enforcer.Enforcer) Option { return func(s *Server) { s.policy = e } }

// WithAdmin sets the enforcer of the admin policy, on the permissions
// model, that authorizes callers (required).
func WithAdmin(e *enforcer.Enforcer) Option { return func(s *Server) { s.admin = e } }

// WithAuth sets the middleware that authenticates callers (required).
func WithAuth(a *middleware.Auth) Option { return func(s *Server) { s.auth = a } }

// WithAudit sets the audit log every change is recorded in (required).
func WithAudit(l *audit.Log) Option { return func(s *Server) { s.audit = l } }

// WithLogger sets the logger (slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.logger = l } }

// WithReadiness adds checks run by /readyz. New refuses a check whose
// name could carry an address (see Check.Name).
func WithReadiness(checks ...Check) Option {
	return func(s *Server) { s.checks = append(s.checks, checks...) }
}

// WithReadyTimeout bounds /readyz's checks (DefaultReadyTimeout).
func WithReadyTimeout(d time.Duration) Option { return func(s *Server) { s.ready = d } }

// WithMaxBodyBytes bounds request bodies (DefaultMaxBodyBytes).
func WithMaxBodyBytes(n int64) Option { return func(s *Server) { s.maxBody = n } }

// WithAdmins names the identities configured as administrators (warden
// serve --admin). The lockout guard counts them as users even where the
// admin policy also grants them as roles (see policyadmin.Change.Admins).
func WithAdmins(ids ...string) Option { return func(s *Server) { s.admins = append(s.admins, ids...) } }

// WithMetricsHandler serves h at GET /metrics, without authentication.
func WithMetricsHandler(h http.Handler) Option { return func(s *Server) { s.metrics = h } }

// WithDecisionObserver sets a function told about every /v1/check decision.
func WithDecisionObserver(f DecisionObserver) Option { return func(s *Server) { s.observe = f } }

// ChangeObserver is told about every grant or revoke the API attempts: its
// scope ("policy", "admin"), action ("grant", "revoke"), how many rules it
// changed, and its outcome: "ok", "invalid", "conflict" (refused: it would
// leave nobody with warden:admin), "unavailable", "audit_failed" (not made:
// its audit row could not be stored), "outcome_unknown" (the store could
// not confirm it; see package doc), or, for an enforcer whose adapter has
// no change log, "not_announced".
type ChangeObserver func(scope, action string, changed int, outcome string)

// WithChangeObserver sets a function told about every change, for metrics
// and alerts (audit_failed and outcome_unknown outcomes deserve one).
func WithChangeObserver(f ChangeObserver) Option { return func(s *Server) { s.onChange = f } }

// New returns a Server.
func New(opts ...Option) (*Server, error) {
	s := &Server{logger: slog.Default(), maxBody: DefaultMaxBodyBytes, ready: DefaultReadyTimeout}
	for _, o := range opts {
		o(s)
	}
	switch {
	case s.policy == nil:
		return nil, errors.New("server: WithPolicy is required")
	case s.admin == nil:
		return nil, errors.New("server: WithAdmin is required")
	case s.auth == nil:
		return nil, errors.New("server: WithAuth is required")
	case s.audit == nil:
		return nil, errors.New("server: WithAudit is required")
	case s.maxBody <= 0 || s.ready <= 0:
		return nil, errors.New("server: body limit and ready timeout must be positive")
	}
	for _, c := range s.checks {
		if !health.ValidName(c.Name) || c.Check == nil {
			return nil, fmt.Errorf("server: readiness check %q: a name of lowercase letters, digits, _ and - "+
				"(never an address: /readyz needs no token) and a function are required", c.Name)
		}
	}
	return s, nil
}

// Handler returns the API's routes. Every response goes through the
// middleware's strict mode: a route that answered without an authorization
// check would be refused with 403.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	admin := func(h http.HandlerFunc) http.Handler {
		return s.auth.Authenticate(s.auth.Guard(policyadmin.PermAdmin, s.guard(policyadmin.PermAdmin))(h))
	}
	// Each route names the query parameters it reads; any other is refused.
	mux.Handle("POST /v1/check", s.auth.Authenticate(strictQuery(s.handleCheck)))
	mux.Handle("POST /v1/plan", s.auth.Authenticate(strictQuery(s.handlePlan)))
	mux.Handle("GET /v1/rules", admin(strictQuery(s.handleListRules, "scope", "ptype", "offset", "limit", "subject")))
	mux.Handle("POST /v1/rules", admin(strictQuery(s.handleRules(audit.ActionGrant), "scope")))
	mux.Handle("DELETE /v1/rules", admin(strictQuery(s.handleRules(audit.ActionRevoke), "scope")))
	mux.Handle("POST /v1/groups", admin(strictQuery(s.handleGroups(audit.ActionGrant), "scope")))
	mux.Handle("DELETE /v1/groups", admin(strictQuery(s.handleGroups(audit.ActionRevoke), "scope")))
	mux.Handle("GET /v1/policy.csv", admin(strictQuery(s.handleExport, "scope")))
	mux.Handle("GET /v1/audit", admin(strictQuery(s.handleAudit, "after_id", "limit", "actor")))
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /readyz", s.handleReady)
	if s.metrics != nil {
		mux.Handle("GET /metrics", public(s.metrics))
	}
	for path, allow := range map[string]string{
		"/v1/check": "POST", "/v1/plan": "POST", "/v1/rules": "GET, POST, DELETE", "/v1/groups": "POST, DELETE",
		"/v1/policy.csv": "GET", "/v1/audit": "GET", "/healthz": "GET", "/readyz": "GET",
	} {
		mux.HandleFunc(path, methodNotAllowed(allow))
	}
	mux.HandleFunc("/", s.handleNotFound)
	return s.auth.Strict(wholeQuery(mux))
}

// public marks a route that needs no authorization.
func public(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.MarkChecked(r.Context())
		h.ServeHTTP(w, r)
	})
}

// methodNotAllowed answers 405 for a known path and a wrong method. It
// reveals nothing a GET of the API's documentation would not.
func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		middleware.MarkChecked(r.Context())
		w.Header().Set("Allow", allow)
		writeError(w, r, http.StatusMethodNotAllowed, "method_not_allowed", "", "allowed methods: "+allow)
	}
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	middleware.MarkChecked(r.Context())
	writeError(w, r, http.StatusNotFound, "not_found", "", "no such endpoint")
}

// enforcerFor returns the enforcer of scope.
func (s *Server) enforcerFor(scope string) (*enforcer.Enforcer, bool) {
	switch scope {
	case "", policyadmin.ScopePolicy:
		return s.policy, true
	case policyadmin.ScopeAdmin:
		return s.admin, true
	}
	return nil, false
}
