package rulelog_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/casbin/casbin/v2/model"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/tcpproxy"
)

const rbac = `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`

func rbacModel(t testing.TB) model.Model {
	t.Helper()
	m, err := enforcer.ParseModel(rbac)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func newStore(t testing.TB, db *gorm.DB, opts ...rulelog.Option) *rulelog.Store {
	t.Helper()
	s, err := rulelog.New(context.Background(), db, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newEnforcer(t testing.TB, s *rulelog.Store, opts ...enforcer.Option) *enforcer.Enforcer {
	t.Helper()
	e, err := enforcer.New(context.Background(), rbacModel(t), s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// casbinOn returns an enforcer of m over a new Store on db that decides
// with Casbin's own evaluation (where a subjectPriority cycle is refused).
func casbinOn(t testing.TB, m model.Model, db *gorm.DB) *enforcer.Enforcer {
	t.Helper()
	e, err := enforcer.New(context.Background(), m, newStore(t, db), enforcer.WithCasbinEvaluation())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// mustLoad fails t unless a new instance loads db's store under m with
// Casbin's own evaluation, which refuses (rather than loop on) a
// subjectPriority cycle; what says when.
func mustLoad(t testing.TB, m model.Model, db *gorm.DB, what string) {
	t.Helper()
	if _, err := enforcer.New(context.Background(), m, newStore(t, db), enforcer.WithCasbinEvaluation()); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// viaProxy opens db's database again through a TCP proxy that the test can
// cut, freeze or hook; for PostgreSQL and MySQL only.
func viaProxy(t testing.TB, db dbtest.DB, backend string) (*tcpproxy.Proxy, *gorm.DB) {
	t.Helper()
	u, err := url.Parse(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tcpproxy.Start(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	u.Host = p.Addr()
	g, err := config.OpenDB(u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := g.DB(); err == nil {
			_ = s.Close()
		}
	})
	return p, g
}

// servers are the backends with a server a proxy can stand in front of.
func servers() []dbtest.Backend {
	var out []dbtest.Backend
	for _, b := range dbtest.Backends() {
		if b.Name != "sqlite" {
			out = append(out, b)
		}
	}
	return out
}

func allowed(t testing.TB, e *enforcer.Enforcer, sub, obj, act string) bool {
	t.Helper()
	ok, err := e.Enforce(context.Background(), sub, obj, act)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// count returns the rows of table matching where.
func count(t testing.TB, db *gorm.DB, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// slowWrites gives a store that writes thousands of rules in one change a
// minute for each database call: the default 5 s is a production bound,
// and these tests run under -race beside the rest of the suite on two
// loaded cores, where such a write took longer (context deadline
// exceeded). What they test is the rebuild beside the log, not timeouts.
var slowWrites = rulelog.WithTimeout(time.Minute)
