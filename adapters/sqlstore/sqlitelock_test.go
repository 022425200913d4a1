package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/sqlstore"
)

// TestSQLiteSetupTransactions: two instances opening a new SQLite file at
// once each run their schema setup in a transaction that reads the schema
// and then writes it (audit.Migrate, AutoMigrate). Begun deferred, a
// transaction that has read cannot take the write lock while another
// connection holds it: SQLite answers SQLITE_BUSY at once, without waiting
// out the busy timeout (waiting could deadlock), and a server failed to
// start. OpenDB begins SQLite transactions IMMEDIATE, so the first to begin
// holds the write lock from its start and the other waits its turn.
//
// Deterministic: the second connection has no busy timeout, so it either
// takes the write lock at once (deferred) or is refused at once
// (immediate); each step waits for the other's signal.
func TestSQLiteSetupTransactions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "warden.db")
	first, err := sqlstore.OpenDB("sqlite://" + path)
	if err != nil {
		t.Fatal(err)
	}
	second, err := sqlstore.OpenDB("sqlite://" + path + "?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range []*gorm.DB{first, second} {
		sqlDB, err := db.DB()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sqlDB.Close() })
	}

	read, contended, released := make(chan struct{}), make(chan error, 1), make(chan struct{})
	go func() {
		<-read
		// The other instance's setup, begun while the first has read.
		tx := second.WithContext(ctx).Begin()
		if tx.Error != nil {
			contended <- tx.Error
			return
		}
		err := tx.Exec("CREATE TABLE other_setup (id INTEGER)").Error
		contended <- err
		<-released
		tx.Rollback()
	}()
	err = first.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int
		if err := tx.Raw("SELECT count(*) FROM sqlite_master").Scan(&n).Error; err != nil {
			return err
		}
		close(read)
		if err := <-contended; err == nil {
			t.Log("the second connection took the write lock inside the first's transaction")
		}
		return tx.Exec("CREATE TABLE setup (id INTEGER)").Error
	})
	close(released)
	if err != nil {
		t.Fatalf("setup transaction with another instance contending: %v", err)
	}
	if !first.Migrator().HasTable("setup") {
		t.Fatal("table not created")
	}
}
