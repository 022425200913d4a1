package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ChainHead reads an audit log's chain head: the sequence number and hash
// of its last entry (audit.Log.Head gives both).
type ChainHead func(ctx context.Context) (seq uint64, hash string, err error)

// chainHeadTimeout bounds one read of a chain head during a scrape.
const chainHeadTimeout = 2 * time.Second

// AuditChain publishes the chain head of the audit table named table, read
// when Prometheus scrapes:
//
//	warden_audit_chain_head_seq{table}        sequence number of the last entry
//	warden_audit_chain_head_info{table,hash}  1, labelled with its hash
//	warden_audit_chain_head_up{table}         1 read, 0 not readable
//
// Kept outside the database, the series make a rewritten log visible: the
// sequence number never goes down and the hash at a sequence number never
// changes, unless the table was truncated or rewritten (on MariaDB, where
// no trigger can refuse TRUNCATE, this is how it shows). Calling AuditChain
// again for a table replaces its reader.
func (m *Metrics) AuditChain(table string, head ChainHead) {
	m.chain.mu.Lock()
	defer m.chain.mu.Unlock()
	m.chain.heads[table] = head
}

type chainCollector struct {
	seq, info, up *prometheus.Desc
	mu            sync.Mutex
	heads         map[string]ChainHead
}

func newChainCollector(ns string) *chainCollector {
	name := func(n string) string { return prometheus.BuildFQName(ns, "audit_chain", n) }
	return &chainCollector{
		seq:   prometheus.NewDesc(name("head_seq"), "Sequence number of the audit log's last entry.", []string{"table"}, nil),
		info:  prometheus.NewDesc(name("head_info"), "Hash of the audit log's last entry, as a label; the value is 1.", []string{"table", "hash"}, nil),
		up:    prometheus.NewDesc(name("head_up"), "1 when the audit chain head could be read at this scrape, else 0.", []string{"table"}, nil),
		heads: map[string]ChainHead{},
	}
}

func (c *chainCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.seq; ch <- c.info; ch <- c.up }

func (c *chainCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for table, head := range c.heads {
		ctx, cancel := context.WithTimeout(context.Background(), chainHeadTimeout)
		seq, hash, err := head(ctx)
		cancel()
		if err != nil {
			// One unreadable head must not fail the whole scrape.
			ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0, table)
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1, table)
		ch <- prometheus.MustNewConstMetric(c.seq, prometheus.GaugeValue, float64(seq), table)
		ch <- prometheus.MustNewConstMetric(c.info, prometheus.GaugeValue, 1, table, hash)
	}
}
