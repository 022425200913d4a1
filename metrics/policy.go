package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wardenhq/warden/enforcer"
)

// Policy publishes the number of rules of e per ptype under scope. The size
// is read when Prometheus scrapes, so it is never stale and costs nothing
// between scrapes. Calling Policy again for a scope replaces its enforcer.
func (m *Metrics) Policy(scope string, e *enforcer.Enforcer) {
	m.policy.mu.Lock()
	defer m.policy.mu.Unlock()
	m.policy.scopes[scope] = e
}

type policyCollector struct {
	desc   *prometheus.Desc
	mu     sync.Mutex
	scopes map[string]*enforcer.Enforcer
}

func newPolicyCollector(ns string) *policyCollector {
	return &policyCollector{
		desc: prometheus.NewDesc(prometheus.BuildFQName(ns, "", "policy_rules"),
			"Rules in the policy by scope and ptype.", []string{"scope", "ptype"}, nil),
		scopes: map[string]*enforcer.Enforcer{},
	}
}

func (c *policyCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *policyCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for scope, e := range c.scopes {
		m := e.Model()
		for _, sec := range []string{"p", "g"} {
			for pt := range m[sec] {
				ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(len(e.Rules(pt))), scope, pt)
			}
		}
	}
}
