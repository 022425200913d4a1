package tcpproxy_test

import (
	"bufio"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/tcpproxy"
)

// echoServer answers each line with the same line.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn, msg string) (string, error) {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(msg + "\n")); err != nil {
		return "", err
	}
	return bufio.NewReader(c).ReadString('\n')
}

func TestCutAndRestore(t *testing.T) {
	p, err := tcpproxy.Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := roundTrip(t, c, "hello"); err != nil || got != "hello\n" {
		t.Fatalf("through proxy: got %q, %v; want echo", got, err)
	}

	p.Cut()
	if _, err := roundTrip(t, c, "again"); err == nil {
		t.Fatal("connection survived Cut")
	}
	if c2, err := net.Dial("tcp", p.Addr()); err == nil {
		c2.Close()
		t.Fatal("dial succeeded while cut")
	}

	if err := p.Restore(); err != nil {
		t.Fatal(err)
	}
	c3, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	if got, err := roundTrip(t, c3, "back"); err != nil || got != "back\n" {
		t.Fatalf("after Restore: got %q, %v; want echo", got, err)
	}
}

func TestFreeze(t *testing.T) {
	p, err := tcpproxy.Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := roundTrip(t, c, "hello"); err != nil || got != "hello\n" {
		t.Fatalf("through proxy: got %q, %v; want echo", got, err)
	}

	p.Freeze()
	_ = c.SetDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := c.Write([]byte("lost\n")); err != nil {
		t.Fatalf("write on a frozen connection failed (%v); want it accepted and dropped", err)
	}
	var ne net.Error
	if _, err := bufio.NewReader(c).ReadString('\n'); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read on a frozen connection: %v; want a timeout", err)
	}

	c2, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if got, err := roundTrip(t, c2, "fresh"); err != nil || got != "fresh\n" {
		t.Fatalf("new connection after Freeze: got %q, %v; want echo", got, err)
	}
}

func TestForwardOnly(t *testing.T) {
	p, err := tcpproxy.Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.ForwardOnly(1)
	first, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if got, err := roundTrip(t, first, "one"); err != nil || got != "one\n" {
		t.Fatalf("first connection: %q, %v", got, err)
	}
	second, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if got, err := roundTrip(t, second, "two"); err == nil {
		t.Fatalf("a connection past ForwardOnly's count was forwarded: %q", got)
	}
}
