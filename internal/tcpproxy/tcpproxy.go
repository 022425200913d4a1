package tcpproxy

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
)

// Proxy forwards connections from Addr to a target address.
type Proxy struct {
	target string

	mu    sync.Mutex
	addr  string
	ln    net.Listener
	conns map[net.Conn]*atomic.Bool // value: the pair is frozen
	wg    sync.WaitGroup
	// forwardLeft is how many more connections are forwarded; later ones
	// are accepted and closed at once. Negative means no limit.
	forwardLeft int
	hook        Hook
}

// Start listens on a fresh loopback port and forwards to target.
func Start(target string) (*Proxy, error) {
	p := &Proxy{target: target, conns: map[net.Conn]*atomic.Bool{}, forwardLeft: -1}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("tcpproxy: listen: %w", err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	return p, nil
}

// Addr is the proxy's host:port; it stays the same across Cut and Restore.
func (p *Proxy) Addr() string { return p.addr }

// Cut closes the listener and every forwarded connection: clients see their
// connections reset and new dials refused, as if the server went away.
func (p *Proxy) Cut() {
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

// Freeze silently drops, from now on, everything sent either way on the
// connections open now, without closing them: a network that vanished
// without a reset, which only a liveness check can notice. New connections
// are forwarded normally.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, frozen := range p.conns {
		frozen.Store(true)
	}
}

// ForwardOnly forwards the next n connections and closes every later one
// as soon as it is accepted: a server that took a client's first
// connections (a subscription, say) and then went away for the others.
func (p *Proxy) ForwardOnly(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.forwardLeft = n
}

// Restore listens again on the same address.
func (p *Proxy) Restore() error {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return fmt.Errorf("tcpproxy: listen again on %s: %w", p.addr, err)
	}
	p.serve(ln)
	return nil
}

// Close cuts the proxy for good.
func (p *Proxy) Close() { p.Cut() }

func (p *Proxy) serve(ln net.Listener) {
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
			p.forward(c)
		}
	}()
}

func (p *Proxy) forward(client net.Conn) {
	p.mu.Lock()
	refuse := p.forwardLeft == 0
	if p.forwardLeft > 0 {
		p.forwardLeft--
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
	frozen := new(atomic.Bool)
	p.conns[client] = frozen
	p.conns[server] = frozen
	p.mu.Unlock()
	var answerLost [2]atomic.Bool // by Direction of the ForwardCut chunk
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
	copyHalf := func(dst, src net.Conn, dir Direction) {
		defer p.wg.Done()
		defer closeBoth()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 && answerLost[1-dir].Load() {
				return // the answer to a ForwardCut chunk: lose it and cut
			}
			act := Forward
			if h := p.currentHook(); n > 0 && h != nil && !frozen.Load() {
				act = h(dir, buf[:n])
			}
			switch act {
			case Drop:
				return
			case FreezeConn:
				frozen.Store(true)
			}
			if act == ForwardCut {
				// Before the chunk goes on: its answer can come back
				// before Write returns, and must find the mark.
				answerLost[dir].Store(true)
			}
			if n > 0 && !frozen.Load() {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	p.wg.Add(2)
	go copyHalf(server, client, ToServer)
	go copyHalf(client, server, ToClient)
}
