package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/metrics"
)

// TestAuditChainHead: the chain head of a real audit log is published at
// each scrape, follows new entries, and goes down when the table is
// emptied behind Warden's back (what MariaDB's TRUNCATE does); an
// unreadable head is reported as down without failing the scrape.
func TestAuditChainHead(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	l, err := audit.New(ctx, db.DB, audit.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New(metrics.WithoutRuntime())
	m.AuditChain(l.Table(), l.ChainHead)
	var last audit.Entry
	for range 3 {
		if last, err = l.Record(ctx, audit.Entry{Actor: "a", Action: audit.ActionGrant, Scope: "policy", Rules: "[]", Before: "[]", After: "[]", Source: "api"}); err != nil {
			t.Fatal(err)
		}
	}
	table := map[string]string{"table": l.Table()}
	if got := value(t, m, "warden_audit_chain_head_seq", table); got != 3 {
		t.Errorf("head seq = %v, want 3", got)
	}
	if got := value(t, m, "warden_audit_chain_head_info", map[string]string{"table": l.Table(), "hash": last.Hash}); got != 1 {
		t.Errorf("head info with hash %s = %v, want 1", last.Hash, got)
	}
	if got := value(t, m, "warden_audit_chain_head_up", table); got != 1 {
		t.Errorf("head up = %v", got)
	}

	// Whoever empties the table and resets the head row cannot hide it
	// from a series kept outside the database: the sequence goes down.
	for _, s := range []string{`DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log`,
		`DROP TRIGGER audit_log_chain_nodel`, `DELETE FROM audit_log_chain`,
		`INSERT INTO audit_log_chain (id, seq, hash) VALUES (1, 0, '` + audit.GenesisHash + `')`} {
		if err := db.Exec(s).Error; err != nil {
			t.Fatal(err)
		}
	}
	if got := value(t, m, "warden_audit_chain_head_seq", table); got != 0 {
		t.Errorf("head seq after the table was emptied = %v, want 0", got)
	}

	m.AuditChain("broken", func(context.Context) (uint64, string, error) { return 0, "", errors.New("down") })
	if got := value(t, m, "warden_audit_chain_head_up", map[string]string{"table": "broken"}); got != 0 {
		t.Errorf("unreadable head up = %v, want 0", got)
	}
	if got := value(t, m, "warden_audit_chain_head_seq", table); got != 0 {
		t.Errorf("the other table's head is gone from the scrape: %v", got)
	}
}
