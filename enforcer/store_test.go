package enforcer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	gormadapter "github.com/casbin/gorm-adapter/v3"
	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/csvpolicy"
)

// TestGormAdapterPersistence runs the enforcer on Casbin's gorm-adapter over
// a real SQLite file: changes are persisted (in one batch), a second
// enforcer on the same database agrees, and a reload against a closed
// database fails and keeps the policy in force.
func TestGormAdapterPersistence(t *testing.T) {
	ctx := context.Background()
	db, err := gorm.Open(sqlite.Open(filepath.Join(t.TempDir(), "warden.db")), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	a, err := gormadapter.NewAdapterByDB(db)
	if err != nil {
		t.Fatal(err)
	}
	m, err := enforcer.LoadModel("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, a)
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.AddRules(ctx,
		enforcer.P("viewer", "/posts", "GET", "allow"),
		enforcer.P("editor", "/posts", "POST", "allow"),
		enforcer.G("editor", "viewer"),
		enforcer.G("bob", "editor"))
	if err != nil || n != 4 {
		t.Fatalf("AddRules = %d, %v", n, err)
	}
	e2, err := enforcer.New(ctx, m, a)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := e2.Enforce(ctx, "bob", "/posts", "GET"); !ok {
		t.Fatal("a second enforcer on the same database does not see the grants")
	}
	if _, err := e.RemoveRules(ctx, enforcer.G("bob", "editor")); err != nil {
		t.Fatal(err)
	}
	if err := e2.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e2.Enforce(ctx, "bob", "/posts", "GET"); ok {
		t.Fatal("a revoke was not persisted")
	}
	sqlDB, _ := db.DB()
	sqlDB.Close()
	if err := e2.Reload(ctx); err == nil {
		t.Fatal("reload from a closed database succeeded")
	}
	if ok, _ := e2.Enforce(ctx, "editor", "/posts", "GET"); !ok {
		t.Fatal("the last good policy was dropped when the database went away")
	}
	if _, err := e2.AddRules(ctx, enforcer.G("carol", "editor")); err == nil {
		t.Fatal("a write to a closed database succeeded")
	}
	if ok, _ := e2.Enforce(ctx, "carol", "/posts", "GET"); ok {
		t.Fatal("a rule that failed to persist took effect")
	}
}

// failAfter stores through a real policy file but fails from its n-th
// write on, as a database that goes away mid-batch would.
type failAfter struct {
	persist.Adapter
	n int
}

var errStoreDown = errors.New("store down")

func (f *failAfter) AddPolicy(sec, ptype string, rule []string) error {
	if f.n == 0 {
		return errStoreDown
	}
	f.n--
	return f.Adapter.AddPolicy(sec, ptype, rule)
}

func TestPartialPersistFailureKeepsMemoryEqualToStore(t *testing.T) {
	ctx := context.Background()
	policy := filepath.Join(t.TempDir(), "policy.csv")
	copyFile(t, "../conf/policy.csv", policy)
	m, err := enforcer.LoadModel("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(ctx, m, &failAfter{Adapter: csvpolicy.New(policy), n: 1})
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.AddRules(ctx, enforcer.G("dave", "editor"), enforcer.G("erin", "editor"))
	if !errors.Is(err, errStoreDown) || n != 1 {
		t.Fatalf("AddRules = %d, %v; want 1 and the store's error", n, err)
	}
	dave, _ := e.Enforce(ctx, "dave", "/posts", "POST")
	erin, _ := e.Enforce(ctx, "erin", "/posts", "POST")
	if !dave || erin {
		t.Fatalf("dave=%v erin=%v; want the stored grant in force and the failed one not", dave, erin)
	}
	fresh, err := enforcer.NewFromFiles(ctx, "../conf/model.conf", policy)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := fresh.Enforce(ctx, "dave", "/posts", "POST"); !ok {
		t.Fatal("the stored grant is not in the file")
	}
}

// flakyLoad fails its first n loads, as a pool with dead connections does
// right after the database restarts.
type flakyLoad struct {
	persist.Adapter
	n      int
	failed func() // called after each failed load, when set
}

func (f *flakyLoad) LoadPolicy(m model.Model) error {
	if f.n > 0 {
		f.n--
		if f.failed != nil {
			f.failed()
		}
		return errStoreDown
	}
	return f.Adapter.LoadPolicy(m)
}

func TestResyncRetriesUntilTheStoreAnswers(t *testing.T) {
	ctx := context.Background()
	policy := filepath.Join(t.TempDir(), "policy.csv")
	copyFile(t, "../conf/policy.csv", policy)
	m, err := enforcer.LoadModel("../conf/model.conf")
	if err != nil {
		t.Fatal(err)
	}
	flaky := &flakyLoad{Adapter: csvpolicy.New(policy)}
	e, err := enforcer.New(ctx, m, flaky)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policy, []byte("p, erin, /y, GET, allow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	flaky.n = 2
	if err := e.Resync(ctx); err != nil {
		t.Fatalf("Resync = %v; want success on the third attempt", err)
	}
	if ok, _ := e.Enforce(ctx, "erin", "/y", "GET"); !ok {
		t.Fatal("the resynced policy is not in force")
	}
	// A store that never answers: Resync gives up when ctx ends, and the
	// policy in force stays. ctx ends after the third failed attempt, an
	// event rather than a deadline, so that a slow machine cannot end it
	// before the first attempt.
	flaky.n = 1 << 30
	short, cancel := context.WithCancel(ctx)
	defer cancel()
	attempts := 0
	flaky.failed = func() {
		if attempts++; attempts == 3 {
			cancel()
		}
	}
	if err := e.Resync(short); !errors.Is(err, errStoreDown) {
		t.Fatalf("Resync against a dead store = %v; want its error", err)
	}
	if ok, _ := e.Enforce(ctx, "erin", "/y", "GET"); !ok {
		t.Fatal("a failed resync dropped the policy in force")
	}
}
