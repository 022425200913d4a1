package main

import (
	"context"
	"io"
	"strings"
	"testing"

	gormadapter "github.com/casbin/gorm-adapter/v3"

	"github.com/wardenhq/warden/config/dbtest"
)

// TestServeRefusesInexactPolicyTable: warden serve does not start on a
// casbin_rule table in MariaDB's default utf8mb4_general_ci (as
// gorm-adapter creates it), and says which column and how to fix it.
func TestServeRefusesInexactPolicyTable(t *testing.T) {
	db := dbtest.MySQL(t)
	if err := db.Exec("ALTER DATABASE `" + db.Name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := gormadapter.NewAdapterByDBUseTableName(db.DB, "", "casbin_rule"); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	code := runServe(context.Background(), []string{"--addr", "127.0.0.1:0", "--db", db.DSN, "--model", confModel,
		"--seed", confPolicy, "--jwt-secret", serveSecret, "--admin", "root"}, io.Discard, &stderr)
	if code == 0 {
		t.Fatal("serve started on a case-insensitive policy table")
	}
	for _, want := range []string{"table casbin_rule", "column v0", "utf8mb4_general_ci", "fix: ALTER TABLE `casbin_rule` MODIFY `ptype` VARBINARY(400)"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q: %s", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "root:") || strings.Contains(stderr.String(), "127.0.0.1:3306") {
		t.Errorf("stderr names the DSN: %s", stderr.String())
	}
}
