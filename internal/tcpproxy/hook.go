package tcpproxy

// Direction says which way a chunk of data travels through the proxy.
type Direction int

// The two directions.
const (
	ToServer Direction = iota // from the client to the target
	ToClient                  // from the target back to the client
)

// Action is what a Hook decides for one chunk.
type Action int

// The actions a Hook can take on a chunk.
const (
	Forward    Action = iota // pass it on
	Drop                     // discard it and cut the connection: the peer never sees it
	ForwardCut               // pass it on; the next data back (its answer) is lost and the connection cut
	FreezeConn               // discard it and everything after it, both ways, on this connection only
)

// Hook sees every chunk read from either side, in order, before it is
// forwarded, and decides what happens to it; it runs on the proxy's copy
// goroutines, so it must be quick and safe for concurrent use. A chunk is
// what one read returned: a small protocol message usually arrives whole.
type Hook func(dir Direction, data []byte) Action

// SetHook sets the hook for the chunks read from now on, on every
// connection; nil removes it.
func (p *Proxy) SetHook(h Hook) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hook = h
}

func (p *Proxy) currentHook() Hook {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hook
}
