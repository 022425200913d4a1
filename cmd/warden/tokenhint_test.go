package main

import (
	"context"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
)

// TestServePrintsAWorkingTokenCommand: the `warden token` line serve
// prints mints a token serve accepts, whereas `warden token` with its
// default audience (the demo's posts-api) is refused.
func TestServePrintsAWorkingTokenCommand(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := newAddrWriter()
	var stderr lockedBuf
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--db", db.DSN, "--model", confModel, "--seed", confPolicy,
			"--jwt-secret", serveSecret, "--admin", "root"}, out, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, stderr.String())
		}
	})
	var base string
	select {
	case base = <-out.addr:
	case code := <-done:
		done <- code
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	var hint string
	eventually(t, "serve prints the token command", func() bool {
		out.mu.Lock()
		defer out.mu.Unlock()
		_, rest, ok := strings.Cut(out.buf.String(), "try it with a token from: ")
		hint, _, _ = strings.Cut(rest, " (secret")
		return ok && strings.Contains(rest, "\n")
	})
	if strings.Contains(out.buf.String(), serveSecret) {
		t.Error("serve printed the secret")
	}
	args := strings.Fields(hint)
	if len(args) < 2 || args[0] != "warden" || args[1] != "token" {
		t.Fatalf("hint = %q; want a warden token command", hint)
	}
	mint := func(args ...string) string {
		t.Helper()
		var tok, errb strings.Builder
		if code := run(append(args, "--secret", serveSecret), &tok, &errb); code != exitOK {
			t.Fatalf("warden %v: %d %s", args, code, errb.String())
		}
		return strings.TrimSpace(tok.String())
	}
	if code, body := (apiClient{t, base, mint(args[1:]...)}).call("GET", "/v1/rules", ""); code != 200 {
		t.Errorf("token from the printed command: %d %s", code, body)
	}
	t.Setenv("WARDEN_AUDIENCE", "")
	if code, _ := (apiClient{t, base, mint("token", "--sub", "root")}).call("GET", "/v1/rules", ""); code != 401 {
		t.Errorf("token with the default audience: %d, want 401 (the reason for the printed line)", code)
	}
}
