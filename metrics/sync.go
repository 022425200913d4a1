package metrics

import (
	"math"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden/watcher/policysync"
)

// SyncSource is what Sync reads at scrape time: a *policysync.Follower.
type SyncSource interface {
	Status() policysync.Status
}

// Sync publishes, under scope, how far this instance's policy is behind
// the store: the applied revision of the change log, the store's, the
// seconds since the last successful read of the log (+Inf before the
// first) and when that read started. Everything is read when Prometheus
// scrapes, so it is never older than the scrape. Calling Sync again for a
// scope replaces its source.
func (m *Metrics) Sync(scope string, s SyncSource) {
	m.sync.mu.Lock()
	defer m.sync.mu.Unlock()
	m.sync.scopes[scope] = s
}

type syncCollector struct {
	applied, head, lag, last *prometheus.Desc

	mu     sync.Mutex
	scopes map[string]SyncSource
}

func newSyncCollector(ns string) *syncCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(ns, "", name), help, []string{"scope"}, nil)
	}
	return &syncCollector{
		applied: desc("sync_applied_revision", "Revision of the store's change log applied in memory, by scope."),
		head:    desc("sync_store_revision", "Latest revision of the store's change log as last read, by scope."),
		lag: desc("sync_lag_seconds",
			"Seconds since the last successful read of the change log began (+Inf before the first): how stale this instance can be."),
		last: desc("sync_last_success_timestamp_seconds",
			"Unix time at which the last successful read of the change log began (0 before the first)."),
		scopes: map[string]SyncSource{},
	}
}

func (c *syncCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.applied
	ch <- c.head
	ch <- c.lag
	ch <- c.last
}

func (c *syncCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for scope, src := range c.scopes {
		s := src.Status()
		lag, last := math.Inf(1), 0.0
		if s.Synced {
			lag = s.Lag.Seconds()
			last = float64(s.LastSync.UnixNano()) / 1e9
		}
		ch <- prometheus.MustNewConstMetric(c.applied, prometheus.GaugeValue, float64(s.Applied), scope)
		ch <- prometheus.MustNewConstMetric(c.head, prometheus.GaugeValue, float64(s.Head), scope)
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, lag, scope)
		ch <- prometheus.MustNewConstMetric(c.last, prometheus.GaugeValue, last, scope)
	}
}
