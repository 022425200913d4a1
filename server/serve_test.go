package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/wardenhq/warden/server"
)

// Serve answers on its listener and returns nil once ctx ends, after the
// request in flight has been answered.
func TestServeShutsDownGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(100 * time.Millisecond) // still running when shutdown begins
		_, _ = io.WriteString(w, "done")
	})
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, ln, h) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-started
	cancel()
	if body := <-got; body != "done" {
		t.Fatalf("request in flight got %q; want it answered before shutdown", body)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve = %v; want nil after a graceful shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return after ctx ended")
	}
}
