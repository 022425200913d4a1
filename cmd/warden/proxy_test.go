package main

import (
	"io"
	"net"
	"sync"
	"testing"
)

// tcpProxy forwards loopback connections to a target so that a test can
// take a real server away from one client: Cut resets every forwarded
// connection and refuses new ones, Restore listens again on the same port.
// (The same idea as watcher/internal/tcpproxy, which is internal to
// package watcher.)
type tcpProxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	// forward is how many more connections are forwarded; the ones after
	// are accepted and closed at once. Negative means no limit.
	forward int
	wg      sync.WaitGroup
}

func startProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, target: target, addr: ln.Addr().String(), conns: map[net.Conn]bool{}, forward: -1}
	p.serve(ln)
	t.Cleanup(p.Cut)
	return p
}

// Addr is the proxy's host:port, the same across Cut and Restore.
func (p *tcpProxy) Addr() string { return p.addr }

// ForwardOnly makes the proxy forward the next n connections and close
// every later one as soon as it is accepted: a server that took the
// client's first connections and then went away.
func (p *tcpProxy) ForwardOnly(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.forward = n
}

// Cut closes the listener and every forwarded connection.
func (p *tcpProxy) Cut() {
	p.mu.Lock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// Restore listens again on the same address.
func (p *tcpProxy) Restore() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return // closed by Cut
			}
			p.handle(c)
		}
	}()
}

func (p *tcpProxy) handle(client net.Conn) {
	p.mu.Lock()
	refuse := p.forward == 0
	if p.forward > 0 {
		p.forward--
	}
	p.mu.Unlock()
	if refuse {
		_ = client.Close()
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // cut while dialling
		p.mu.Unlock()
		_ = client.Close()
		_ = server.Close()
		return
	}
	p.conns[client], p.conns[server] = true, true
	p.mu.Unlock()
	var once sync.Once
	closeBoth := func() {
		once.Do(func() {
			_ = client.Close()
			_ = server.Close()
			p.mu.Lock()
			delete(p.conns, client)
			delete(p.conns, server)
			p.mu.Unlock()
		})
	}
	p.wg.Add(2)
	for _, pair := range [][2]net.Conn{{server, client}, {client, server}} {
		go func() {
			defer p.wg.Done()
			defer closeBoth()
			_, _ = io.Copy(pair[0], pair[1])
		}()
	}
}
