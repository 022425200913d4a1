package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// WatcherConnected publishes warden_watcher_connected for channel from
// connected (a *watcher.Watcher's Connected), read at scrape time: it is 0
// from the moment the subscription is known lost, not from the next event.
func (m *Metrics) WatcherConnected(channel string, connected func() bool) {
	m.connected.mu.Lock()
	defer m.connected.mu.Unlock()
	m.connected.channels[channel] = connected
}

type connectedCollector struct {
	desc     *prometheus.Desc
	mu       sync.Mutex
	channels map[string]func() bool
}

func newConnectedCollector(ns string) *connectedCollector {
	return &connectedCollector{
		desc: prometheus.NewDesc(prometheus.BuildFQName(ns, "", "watcher_connected"),
			"1 while the watcher's subscription is up, 0 while it is lost (the poll alone then keeps the instance in step).",
			[]string{"channel"}, nil),
		channels: map[string]func() bool{},
	}
}

func (c *connectedCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *connectedCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for channel, up := range c.channels {
		v := 0.0
		if up() {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v, channel)
	}
}
