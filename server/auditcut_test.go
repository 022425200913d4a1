package server_test

import (
	"bytes"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/tcpproxy"
	"github.com/wardenhq/warden/policyadmin"
)

// TestAuditInsertCut: the connection is cut exactly when the audit row's
// INSERT is sent, inside the change's transaction. The grant is answered
// 503, and it is in force nowhere: no rule row, denied on this instance and
// on another.
func TestAuditInsertCut(t *testing.T) {
	for _, b := range dbtest.Backends() {
		if b.Name == "sqlite" {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			direct := b.Open(t)
			u, err := url.Parse(direct.DSN)
			if err != nil {
				t.Fatal(err)
			}
			p, err := tcpproxy.Start(u.Host)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(p.Close)
			u.Host = p.Addr()
			proxied, err := config.OpenDB(u.String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if s, err := proxied.DB(); err == nil {
					_ = s.Close()
				}
			})
			e := newEnv(t, func(testing.TB) dbtest.DB { return dbtest.DB{DB: proxied, DSN: u.String(), Name: direct.Name} })
			// Fresh connections from here on, so that pgx sends the text of
			// each statement (a cached one is sent by name only).
			if s, err := proxied.DB(); err == nil {
				s.SetMaxIdleConns(0)
			}
			var cut atomic.Bool
			p.SetHook(func(dir tcpproxy.Direction, data []byte) tcpproxy.Action {
				if dir == tcpproxy.ToServer && bytes.Contains(data, []byte("INSERT INTO")) && bytes.Contains(data, []byte("audit_log")) &&
					cut.CompareAndSwap(false, true) {
					return tcpproxy.Drop
				}
				return tcpproxy.Forward
			})
			res := e.do("POST", "/v1/groups", tok(t, "root", nil, nil), `{"member":"kim","role":"editor"}`)
			p.SetHook(nil)
			if !cut.Load() {
				t.Fatal("the audit insert was never sent; the test proves nothing")
			}
			if res.status != http.StatusServiceUnavailable {
				t.Fatalf("grant with its audit insert cut: %d %s; want 503", res.status, res.body)
			}
			var n int64
			if err := direct.Table(policyadmin.DefaultPolicyTable).Where("v0 = ?", "kim").Count(&n).Error; err != nil || n != 0 {
				t.Fatalf("%d rule rows for kim (%v); want none", n, err)
			}
			m, err := enforcer.LoadModel("../conf/model.conf")
			if err != nil {
				t.Fatal(err)
			}
			other, err := policyadmin.OpenEnforcer(t.Context(), direct.DB, m, policyadmin.DefaultPolicyTable, nil)
			if err != nil {
				t.Fatal(err)
			}
			for name, en := range map[string]*enforcer.Enforcer{"this": e.policy, "other": other} {
				if err := en.CatchUp(t.Context()); err != nil {
					t.Fatal(err)
				}
				if ok, _ := en.Enforce(t.Context(), "kim", "/posts", "POST"); ok {
					t.Errorf("the unaudited grant is in force on the %s instance", name)
				}
			}
		})
	}
}
