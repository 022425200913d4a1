package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/internal/tcpproxy"
)

// TestServeFailedSourceNeverAllows is issue 10 item 5: mallory is an
// administrator, but a SQL groups source puts her in "suspended", which the
// admin policy denies. With that source down, a best_effort union would
// answer from the token's claims alone and allow; warden serve refuses
// best_effort, and the union it keeps answers 503, never 200.
func TestServeFailedSourceNeverAllows(t *testing.T) {
	ctx := context.Background()
	groups := dbtest.Postgres(t)
	st, err := sqlstore.New(groups.DB)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.GrantGroup(ctx, "mallory", "suspended"); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(groups.DSN)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := tcpproxy.Start(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	u.Host = proxy.Addr()
	args := func(combine string) []string {
		return []string{"--addr", "127.0.0.1:0", "--db", dbtest.SQLite(t).DSN, "--model", confModel, "--seed", confPolicy,
			"--jwt-secret", serveSecret, "--admin", "root", "--groups-provider", "claims,sql",
			"--groups-sql-dsn", u.String(), "--groups-combine", combine}
	}

	// A serve that starts with best_effort is stopped and fails the test.
	sctx, stop := context.WithCancel(ctx)
	out := newAddrWriter()
	var stderr lockedBuf
	done := make(chan int, 1)
	go func() { done <- runServe(sctx, args("best_effort"), out, &stderr) }()
	select {
	case code := <-done:
		if code != 2 || !strings.Contains(stderr.String(), "groups-combine: best_effort is refused") {
			t.Errorf("serve with best_effort: exit %d, stderr %q; want 2 and the refusal", code, stderr.String())
		}
	case <-out.addr:
		t.Error("serve started with --groups-combine best_effort")
		stop()
		<-done
	}
	stop()

	base := startServe(t, args("union")...)
	root := apiClient{t, base, serveToken(t, "root")}
	mallory := apiClient{t, base, serveToken(t, "mallory")}
	if code, body := root.call("POST", "/v1/groups?scope=admin", `{"member":"mallory","role":"warden-admin"}`); code != http.StatusOK {
		t.Fatalf("make mallory an admin: %d %s", code, body)
	}
	if code, body := mallory.call("GET", "/v1/rules", ""); code != http.StatusOK {
		t.Fatalf("mallory as an admin: %d %s, want 200", code, body)
	}
	if code, body := root.call("POST", "/v1/rules?scope=admin", `{"ptype":"p","values":["suspended","warden:*","deny"]}`); code != http.StatusOK {
		t.Fatalf("deny suspended: %d %s", code, body)
	}
	if code, body := mallory.call("GET", "/v1/rules", ""); code != http.StatusForbidden {
		t.Fatalf("suspended mallory with the source up: %d %s, want 403", code, body)
	}
	proxy.Cut()
	if code, body := mallory.call("GET", "/v1/rules", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("suspended mallory with the source down: %d %s, want 503", code, body)
	}
	if code, body := root.call("GET", "/v1/rules", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("root with the groups source down: %d %s, want 503 (the source could name a deny)", code, body)
	}
}
