package tcpproxy_test

import (
	"bufio"
	"bytes"
	"net"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden/internal/tcpproxy"
)

// TestHook: a hook sees what the client sends and decides its fate: the
// echo server's answer to a ForwardCut line is lost, a dropped line never
// reaches it, and other lines pass.
func TestHook(t *testing.T) {
	for _, tc := range []struct {
		name   string
		act    tcpproxy.Action
		served bool // the server saw the line
	}{
		{"forward", tcpproxy.Forward, true},
		{"forward-cut", tcpproxy.ForwardCut, true},
		{"drop", tcpproxy.Drop, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen atomic.Int32
			target, closed := countingServer(t, &seen)
			p, err := tcpproxy.Start(target)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			p.SetHook(func(dir tcpproxy.Direction, data []byte) tcpproxy.Action {
				if dir == tcpproxy.ToServer && bytes.HasPrefix(data, []byte("commit")) {
					return tc.act
				}
				return tcpproxy.Forward
			})
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			r := bufio.NewReader(c)
			if _, err := c.Write([]byte("hello\n")); err != nil {
				t.Fatal(err)
			}
			if l, err := r.ReadString('\n'); err != nil || l != "hello\n" {
				t.Fatalf("before the hook fires: %q, %v", l, err)
			}
			if _, err := c.Write([]byte("commit\n")); err != nil {
				t.Fatal(err)
			}
			l, err := r.ReadString('\n')
			if got := err == nil; got != (tc.act == tcpproxy.Forward) {
				t.Fatalf("answer %q, %v", l, err)
			}
			// The server counts before it answers, and the answer (or the
			// cut after it) has reached the client: the count is final.
			if tc.act == tcpproxy.Drop {
				// Nothing was answered; the cut closed the server's side,
				// which it saw as EOF after the first line only.
				<-closed
			}
			if got := seen.Load() == 2; got != tc.served {
				t.Fatalf("server saw %d lines, want the second served=%v", seen.Load(), tc.served)
			}
		})
	}
}

// countingServer answers each line with itself and counts lines; closed
// is closed when its one connection ends.
func countingServer(t *testing.T, seen *atomic.Int32) (addr string, closed <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	done := make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				defer close(done)
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					seen.Add(1)
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), done
}
