package metrics

import (
	"context"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/breaker"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
)

// Decider returns d with every decision counted and timed.
func (m *Metrics) Decider(d enforcer.Decider) enforcer.Decider {
	return decider{d: d, m: m}
}

type decider struct {
	d enforcer.Decider
	m *Metrics
}

func (x decider) Decide(ctx context.Context, req enforcer.Request) (enforcer.Decision, error) {
	start := time.Now()
	dec, err := x.d.Decide(ctx, req)
	result := ResultDeny
	switch {
	case err != nil:
		result = ResultError
	case dec.Allowed:
		result = ResultAllow
	}
	x.m.ObserveDecision(result, time.Since(start))
	return dec, err
}

// ObserveFetch records one fetch from source ("groups/sql").
func (m *Metrics) ObserveFetch(source string, latency time.Duration, err error) {
	m.fetchDuration.WithLabelValues(source).Observe(latency.Seconds())
	if err != nil {
		m.fetchErrors.WithLabelValues(source).Inc()
	}
}

// ObserveCache records a call through source's cache.
func (m *Metrics) ObserveCache(source string, hit bool) {
	if hit {
		m.cacheHits.WithLabelValues(source).Inc()
		return
	}
	m.cacheMisses.WithLabelValues(source).Inc()
}

// ObserveBreaker records the state source's breaker is in.
func (m *Metrics) ObserveBreaker(source string, s breaker.State) {
	m.breakerState.WithLabelValues(source).Set(float64(s))
}

// Provider returns p with its fetches observed as source ("groups/sql"),
// for middleware.WithGroups and middleware.WithPermissions.
func (m *Metrics) Provider(source string, p warden.Provider) warden.Provider {
	return warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		start := time.Now()
		list, err := p.Fetch(ctx, tok)
		m.ObserveFetch(source, time.Since(start), err)
		return list, err
	})
}

// WatcherObserver returns a function for watcher.WithObserver that counts
// events and reconnects. Whether the subscription is up is published by
// WatcherConnected, from the watcher itself.
func (m *Metrics) WatcherObserver() func(watcher.Event) {
	return func(ev watcher.Event) {
		m.watcherEvents.WithLabelValues(ev.Channel, ev.Kind.String()).Inc()
		if ev.Kind == watcher.EventReconnected {
			m.reconnects.WithLabelValues(ev.Channel).Inc()
		}
	}
}
