package main

import (
	"testing"

	"github.com/wardenhq/warden/internal/tcpproxy"
)

// startProxy puts a cuttable TCP forwarder in front of target for the rest
// of the test.
func startProxy(t testing.TB, target string) *proxy {
	t.Helper()
	p, err := tcpproxy.Start(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return &proxy{Proxy: p, t: t}
}

// proxy is a tcpproxy.Proxy whose Restore fails the test instead of
// returning an error.
type proxy struct {
	*tcpproxy.Proxy
	t testing.TB
}

func (p *proxy) Restore() {
	p.t.Helper()
	if err := p.Proxy.Restore(); err != nil {
		p.t.Fatal(err)
	}
}
