package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Results of a decision, the values of the result label.
const (
	ResultAllow = "allow"
	ResultDeny  = "deny"
	ResultError = "error"
)

// Metrics holds Warden's collectors and the registry they are registered
// on. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry
	ns  string

	decisions        *prometheus.CounterVec
	decisionDuration prometheus.Histogram
	fetchDuration    *prometheus.HistogramVec
	fetchErrors      *prometheus.CounterVec
	cacheHits        *prometheus.CounterVec
	cacheMisses      *prometheus.CounterVec
	breakerState     *prometheus.GaugeVec
	watcherEvents    *prometheus.CounterVec
	reconnects       *prometheus.CounterVec
	changes          *prometheus.CounterVec
	policy           *policyCollector
	connected        *connectedCollector
	sync             *syncCollector
	chain            *chainCollector
}

// Option configures New.
type Option func(*settings)

type settings struct {
	namespace string
	runtime   bool
}

// WithNamespace sets the metric name prefix ("warden").
func WithNamespace(ns string) Option { return func(s *settings) { s.namespace = ns } }

// WithoutRuntime leaves out the Go runtime and process collectors, for an
// application that registers them itself.
func WithoutRuntime() Option { return func(s *settings) { s.runtime = false } }

// New returns Metrics on a new registry.
func New(opts ...Option) *Metrics {
	s := settings{namespace: "warden", runtime: true}
	for _, o := range opts {
		o(&s)
	}
	ns := s.namespace
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		ns:  ns,
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "decisions_total",
			Help: "Authorization decisions by result (allow, deny, error)."}, []string{"result"}),
		decisionDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "decision_duration_seconds",
			Help:    "Time to decide one request.",
			Buckets: []float64{1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1}}),
		fetchDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "provider_fetch_duration_seconds",
			Help: "Time of one groups or permissions fetch from a source.", Buckets: prometheus.DefBuckets}, []string{"source"}),
		fetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "provider_fetch_errors_total",
			Help: "Failed groups or permissions fetches by source."}, []string{"source"}),
		cacheHits: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "cache_hits_total",
			Help: "Provider calls answered by the cache without their own fetch."}, []string{"source"}),
		cacheMisses: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "cache_misses_total",
			Help: "Provider calls that fetched from the source."}, []string{"source"}),
		breakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "breaker_state",
			Help: "Circuit breaker state by source: 0 closed, 1 half-open, 2 open."}, []string{"source"}),
		watcherEvents: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "watcher_events_total",
			Help: "Policy watcher events by channel and kind."}, []string{"channel", "kind"}),
		reconnects: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "watcher_reconnects_total",
			Help: "Watcher subscriptions re-established after a loss."}, []string{"channel"}),
	}
	m.changes = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "policy_changes_total",
		Help: "Grants and revokes by scope, action and outcome (ok, not_announced, invalid, conflict, unavailable, audit_failed)."}, []string{"scope", "action", "outcome"})
	m.policy = newPolicyCollector(ns)
	m.connected = newConnectedCollector(ns)
	m.sync = newSyncCollector(ns)
	m.chain = newChainCollector(ns)
	m.reg.MustRegister(m.decisions, m.decisionDuration, m.fetchDuration, m.fetchErrors, m.cacheHits, m.cacheMisses,
		m.breakerState, m.watcherEvents, m.reconnects, m.changes, m.connected, m.sync, m.policy, m.chain)
	if s.runtime {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m
}

// Registry returns the registry the metrics are registered on; an
// application may register its own collectors there too.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveDecision records one decision: result is ResultAllow, ResultDeny
// or ResultError.
func (m *Metrics) ObserveDecision(result string, latency time.Duration) {
	m.decisions.WithLabelValues(result).Inc()
	m.decisionDuration.Observe(latency.Seconds())
}

// ObserveChange counts one grant or revoke by its outcome; it has the
// signature of server.ChangeObserver.
func (m *Metrics) ObserveChange(scope, action string, _ int, outcome string) {
	m.changes.WithLabelValues(scope, action, outcome).Inc()
}
