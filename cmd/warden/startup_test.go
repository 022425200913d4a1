package main

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/config/dbtest"
)

// signalWriter is a log sink that reports, once, the first line
// containing want.
type signalWriter struct {
	lockedBuf
	want string
	seen chan string
	once sync.Once
}

func newSignalWriter(want string) *signalWriter {
	return &signalWriter{want: want, seen: make(chan string, 1)}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	n, err := w.lockedBuf.Write(p)
	for _, line := range strings.Split(string(p), "\n") {
		if strings.Contains(line, w.want) {
			w.once.Do(func() { w.seen <- line })
		}
	}
	return n, err
}

// blackHole accepts connections and never answers: a database that hangs.
type blackHole struct {
	ln       net.Listener
	accepted chan struct{}
	mu       sync.Mutex
	conns    []net.Conn
}

func newBlackHole(t *testing.T) *blackHole {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackHole{ln: ln, accepted: make(chan struct{}, 1)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.conns = append(b.conns, c)
			b.mu.Unlock()
			select {
			case b.accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(b.close)
	return b
}

// close refuses every later dial and resets the connections held.
func (b *blackHole) close() {
	_ = b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		_ = c.Close()
	}
	b.conns = nil
}

// warden serve binds its port before it touches the database: while the
// database hangs, /healthz answers 200, /readyz 503 naming the startup
// check, and the API 503; when the database fails, serve exits with the
// error.
func TestServeBindsBeforeTheStore(t *testing.T) {
	hole := newBlackHole(t)
	stderr := newSignalWriter("port bound")
	out := newAddrWriter()
	done := make(chan int, 1)
	go func() {
		done <- runServe(context.Background(), []string{"--addr", "127.0.0.1:0",
			"--db", "postgres://postgres@" + hole.ln.Addr().String() + "/test?sslmode=disable&connect_timeout=30",
			"--model", confModel, "--jwt-secret", serveSecret}, out, stderr)
	}()
	var line string
	select {
	case line = <-stderr.seen:
	case code := <-done:
		t.Fatalf("serve exited %d before binding: %s", code, stderr.String())
	}
	_, addr, _ := strings.Cut(line, `"addr":"`)
	addr, _, _ = strings.Cut(addr, `"`)
	select {
	case <-hole.accepted: // serve is now waiting for the database
	case <-time.After(20 * time.Second):
		t.Fatal("serve never dialled the database")
	}
	c := apiClient{t: t, base: "http://" + addr}
	if code, body := c.call("GET", "/healthz", ""); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("/healthz while opening the store: %d %s; want 200", code, body)
	}
	if code, body := c.call("GET", "/readyz", ""); code != 503 || !strings.Contains(body, `"startup":"fail"`) {
		t.Fatalf("/readyz while opening the store: %d %s; want 503 naming startup", code, body)
	}
	if code, body := c.call("POST", "/v1/check", `{"sub":"a","obj":"/","act":"GET"}`); code != 503 || strings.Contains(body, "127.0.0.1") {
		t.Fatalf("/v1/check while opening the store: %d %s; want 503 without an address", code, body)
	}
	if out.buf.Len() != 0 {
		t.Fatalf("serve printed %q before it could answer", out.buf.String())
	}
	hole.close()
	select {
	case code := <-done:
		if code == 0 {
			t.Fatal("serve exited 0 with its database unreachable")
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not give up on a refused database")
	}
}

// --log-level drops records below it, and --decision-log-every 0 the
// per-request decision records, while the rest of the log stays.
func TestServeLogSettings(t *testing.T) {
	tests := []struct {
		name            string
		args            []string
		wantInfo        bool
		wantDecisionLog bool
	}{
		{"defaults", nil, true, true},
		{"decisions off", []string{"--decision-log-every", "0"}, true, false},
		{"warn", []string{"--log-level", "warn"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := dbtest.SQLite(t)
			ctx, cancel := context.WithCancel(context.Background())
			out := newAddrWriter()
			var stderr lockedBuf
			done := make(chan int, 1)
			go func() {
				done <- runServe(ctx, append([]string{"--addr", "127.0.0.1:0", "--db", db.DSN, "--model", confModel, "--seed", confPolicy,
					"--jwt-secret", serveSecret, "--admin", "root"}, tt.args...), out, &stderr)
			}()
			var base string
			select {
			case base = <-out.addr:
			case code := <-done:
				t.Fatalf("serve exited %d: %s", code, stderr.String())
			}
			c := apiClient{t, base, serveToken(t, "root")}
			for range 3 {
				c.allowed("alice", "/posts", "GET")
			}
			cancel()
			if code := <-done; code != 0 {
				t.Fatalf("serve exited %d: %s", code, stderr.String())
			}
			lines := jsonLines(t, stderr.String())
			var info, decisions int
			for _, l := range lines {
				if l["level"] == "INFO" {
					info++
				}
				if l["msg"] == "authorization decision" || l["msg"] == "authorization guard" {
					decisions++
				}
			}
			if (info > 0) != tt.wantInfo || (decisions > 0) != tt.wantDecisionLog {
				t.Fatalf("%d INFO records, %d decision records; want INFO %v, decisions %v", info, decisions, tt.wantInfo, tt.wantDecisionLog)
			}
		})
	}
}
