package audit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
)

// TestMySQLTimeZoneIsRefused: DATETIME keeps no zone and the MySQL driver
// writes and reads it in the DSN's loc. An instance or a verifier with
// loc other than UTC would see every untouched entry of the others as
// altered (and chain its own under other times), so New and Verify refuse
// such a connection, naming the fix.
func TestMySQLTimeZoneIsRefused(t *testing.T) {
	db := dbtest.MySQL(t)
	l := chained(t, db, 2)
	ny, err := config.OpenDB(db.DSN + "?loc=America%2FNew_York")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := ny.DB(); err == nil {
			_ = s.Close()
		}
	})
	ctx := context.Background()
	if _, err := audit.New(ctx, ny, audit.WithTable(l.Table()), audit.WithLogger(quiet)); !errors.Is(err, audit.ErrTimeZone) {
		t.Fatalf("New on a loc=America/New_York connection = %v, want ErrTimeZone", err)
	}
	r, err := audit.Open(ny, audit.WithTable(l.Table()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Verify(ctx, audit.VerifyOptions{}); !errors.Is(err, audit.ErrTimeZone) || errors.Is(err, audit.ErrTampered) {
		t.Fatalf("Verify on a loc=America/New_York connection = %v, want ErrTimeZone and no tampering claimed", err)
	}
	if rep, err := l.Verify(ctx, audit.VerifyOptions{}); err != nil || rep.Entries != 2 {
		t.Fatalf("Verify in UTC = %+v, %v", rep, err)
	}
}
