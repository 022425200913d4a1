package audit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// chained returns a Log on a fresh table of db holding n entries.
func chained(t *testing.T, db dbtest.DB, n int, opts ...audit.Option) *audit.Log {
	t.Helper()
	table := "audit_" + dbtest.Unique()
	dropAppendOnly(t, db, table)
	l, err := audit.New(context.Background(), db.DB, append([]audit.Option{audit.WithTable(table), audit.WithLogger(quiet)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		record(t, l, fmt.Sprintf("actor-%d", i))
	}
	return l
}

func record(t *testing.T, l *audit.Log, actor string) audit.Entry {
	t.Helper()
	e, err := l.Record(context.Background(), audit.Entry{Actor: actor, Action: audit.ActionGrant, Scope: "policy",
		Rules: `[["p","a","/x","GET","allow"]]`, Before: "[]", After: `[["p","a","/x","GET","allow"]]`, Changed: 1, Source: "api"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// q quotes a name for db's dialect.
func q(db *gorm.DB, name string) string {
	if db.Dialector.Name() == "mysql" {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

// dropTriggers does what the owner of the table can: remove the
// append-only triggers.
func dropTriggers(t *testing.T, db *gorm.DB, table string) {
	t.Helper()
	var stmts []string
	switch db.Dialector.Name() {
	case "postgres":
		stmts = []string{fmt.Sprintf("DROP TRIGGER %[1]s_no_change ON %[1]s", table), fmt.Sprintf("DROP TRIGGER %[1]s_no_truncate ON %[1]s", table)}
	default:
		for _, s := range []string{"update", "delete", "replace"} {
			stmts = append(stmts, fmt.Sprintf("DROP TRIGGER %s", q(db, table+"_no_"+s)))
		}
	}
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestChainVerifies(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			var logs strings.Builder
			l := chained(t, db, 0, audit.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			rep, err := l.Verify(context.Background(), audit.VerifyOptions{})
			if err != nil || rep.Entries != 0 || rep.Head.Seq != 0 || rep.Head.Hash != audit.GenesisHash {
				t.Fatalf("empty log: %+v, %v", rep, err)
			}
			var last audit.Entry
			for i := range 5 {
				e := record(t, l, fmt.Sprint("a", i))
				if e.Seq != uint64(i+1) {
					t.Errorf("entry %d has seq %d", i, e.Seq)
				}
				if i == 0 && e.PrevHash != audit.GenesisHash {
					t.Errorf("first prev_hash = %s", e.PrevHash)
				}
				if i > 0 && e.PrevHash != last.Hash {
					t.Errorf("entry %d prev_hash %s, previous hash %s", i, e.PrevHash, last.Hash)
				}
				last = e
			}
			rep, err = l.Verify(context.Background(), audit.VerifyOptions{})
			if err != nil || rep.Entries != 5 || rep.Head.Seq != 5 || rep.Head.Hash != last.Hash {
				t.Fatalf("Verify = %+v, %v", rep, err)
			}
			head, err := l.Head(context.Background())
			if err != nil || head.Seq != 5 || head.Hash != last.Hash {
				t.Fatalf("Head = %+v, %v", head, err)
			}
			// The stored rows hash to what Record returned: what is
			// hashed is what the database keeps.
			got, err := l.List(context.Background(), audit.Query{})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range got {
				if h, err := audit.Hash(e); err != nil || h != e.Hash {
					t.Errorf("stored seq %d hashes to %s, stored %s (%v)", e.Seq, h, e.Hash, err)
				}
			}
			if want := fmt.Sprintf("seq=5 hash=%s", last.Hash); !strings.Contains(logs.String(), "audit chain head") || !strings.Contains(logs.String(), want) {
				t.Errorf("log lacks the chain head line %q:\n%s", want, logs.String())
			}
		})
	}
}

// TestHashEncoding pins the canonical encoding: a change to it must be a
// new ChainVersion, or existing chains stop verifying.
func TestHashEncoding(t *testing.T) {
	e := audit.Entry{Seq: 1, PrevHash: audit.GenesisHash, Time: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		Actor: "alice", Action: "grant", Scope: "policy", Rules: "[]", Before: "[]", After: "[]", Changed: 1, Source: "api"}
	h, err := audit.Hash(e)
	if err != nil {
		t.Fatal(err)
	}
	// Computed independently (Python's hashlib and struct) from the
	// encoding documented on Hash.
	const want = "2b9dd3de8fdf330128eacdaab3aa967b61229e8b9e20b982d64e45567c61c77f"
	if h != want {
		t.Errorf("Hash = %s, want %s", h, want)
	}
	// Moving a byte from one field to the next changes the hash.
	moved := e
	moved.Actor, moved.Action = "alic", "egrant"
	if h2, _ := audit.Hash(moved); h2 == h {
		t.Error("length prefixes do not separate fields")
	}
	if _, err := audit.Hash(audit.Entry{PrevHash: "xyz"}); err == nil {
		t.Error("a malformed prev_hash was hashed")
	}
}

// TestTamperingIsDetected: each way a database user with the table
// owner's rights can rewrite the log is refused by the database or named
// by Verify, on every database.
func TestTamperingIsDetected(t *testing.T) {
	type tamper struct {
		name string
		// do tampers with the 5-entry log l of table on db; it returns
		// the error of a statement the database must refuse, if any.
		do func(t *testing.T, db *gorm.DB, l *audit.Log) (refused error)
		// refused: the database refuses the statement and the chain
		// still verifies.
		refused bool
		kind    string
		seq     uint64
	}
	ctx := context.Background()
	cases := func(dialect string) []tamper {
		cs := []tamper{
			{name: "replace", refused: true, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				switch dialect {
				case "postgres":
					return db.Exec(fmt.Sprintf(`INSERT INTO %s (id, seq, time, actor, action, scope, rules, before, after, changed, source)
						VALUES (3, 3, now(), 'mallory', 'grant', 'policy', '[]', '[]', '[]', 1, 'api')
						ON CONFLICT (id) DO UPDATE SET actor = excluded.actor`, l.Table())).Error
				default:
					return db.Exec(fmt.Sprintf(`REPLACE INTO %s (id, seq, time, actor, action, scope, rules, `+"`before`, `after`"+`, changed, source)
						VALUES (3, 3, '2026-12-01 09:00:00', 'mallory', 'grant', 'policy', '[]', '[]', '[]', 1, 'api')`,
						q(db, l.Table()))).Error
				}
			}},
			{name: "update", refused: true, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				return db.Exec(fmt.Sprintf("UPDATE %s SET actor = 'mallory' WHERE seq = 3", q(db, l.Table()))).Error
			}},
			{name: "delete", refused: true, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				return db.Exec(fmt.Sprintf("DELETE FROM %s WHERE seq = 3", q(db, l.Table()))).Error
			}},
			{name: "head reset", refused: true, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				return db.Exec(fmt.Sprintf("UPDATE %s SET seq = 0, hash = ? WHERE id = 1", q(db, l.Table()+"_chain")), audit.GenesisHash).Error
			}},
			{name: "head moved back one entry", refused: true, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				e := entryAt(t, db, l, 4)
				return db.Exec(fmt.Sprintf("UPDATE %s SET seq = 4, hash = ? WHERE id = 1", q(db, l.Table()+"_chain")), e.Hash).Error
			}},
			{name: "head deleted", refused: true, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				return db.Exec(fmt.Sprintf("DELETE FROM %s", q(db, l.Table()+"_chain"))).Error
			}},
			{name: "update after dropping the triggers", kind: audit.KindAltered, seq: 3, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				dropTriggers(t, db, l.Table())
				must(t, db.Exec(fmt.Sprintf("UPDATE %s SET actor = 'mallory' WHERE seq = 3", q(db, l.Table()))).Error)
				return nil
			}},
			{name: "delete of a middle row", kind: audit.KindMissing, seq: 3, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				dropTriggers(t, db, l.Table())
				must(t, db.Exec(fmt.Sprintf("DELETE FROM %s WHERE seq = 3", q(db, l.Table()))).Error)
				return nil
			}},
			{name: "delete of the last row", kind: audit.KindMissing, seq: 5, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				dropTriggers(t, db, l.Table())
				must(t, db.Exec(fmt.Sprintf("DELETE FROM %s WHERE seq = 5", q(db, l.Table()))).Error)
				return nil
			}},
			{name: "delete of every row", kind: audit.KindMissing, seq: 1, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				dropTriggers(t, db, l.Table())
				must(t, db.Exec(fmt.Sprintf("DELETE FROM %s", q(db, l.Table()))).Error)
				return nil
			}},
			{name: "row rewritten with a recomputed hash", kind: audit.KindForged, seq: 3, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				dropTriggers(t, db, l.Table())
				e := entryAt(t, db, l, 3)
				e.Actor = "mallory"
				h, err := audit.Hash(e)
				must(t, err)
				must(t, db.Exec(fmt.Sprintf("UPDATE %s SET actor = ?, hash = ? WHERE seq = 3", q(db, l.Table())), e.Actor, h).Error)
				return nil
			}},
			{name: "forged row with a self-consistent hash but the wrong predecessor", kind: audit.KindForged, seq: 6, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				e := entryAt(t, db, l, 5)
				e.ID, e.Seq, e.Actor, e.PrevHash = 0, 6, "mallory", strings.Repeat("ab", 32)
				var err error
				e.Hash, err = audit.Hash(e)
				must(t, err)
				must(t, db.Table(l.Table()).Create(&e).Error)
				return nil
			}},
			{name: "forged row chained correctly but past the head", kind: audit.KindForged, seq: 6, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				last := entryAt(t, db, l, 5)
				e := last
				e.ID, e.Seq, e.Actor, e.PrevHash = 0, 6, "mallory", last.Hash
				var err error
				e.Hash, err = audit.Hash(e)
				must(t, err)
				must(t, db.Table(l.Table()).Create(&e).Error)
				return nil
			}},
			{name: "row inserted without a sequence number", kind: audit.KindForged, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				return db.Exec(fmt.Sprintf("INSERT INTO %s (time, actor, action, scope, rules, %s, %s, changed, source) VALUES (?, 'mallory', 'grant', 'policy', '[]', '[]', '[]', 1, 'api')",
					q(db, l.Table()), q(db, "before"), q(db, "after")), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)).Error
			}},
			{name: "back-dated insert through the chain", kind: audit.KindBackdated, seq: 6, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				past, err := audit.New(ctx, db, audit.WithTable(l.Table()), audit.WithLogger(quiet),
					audit.WithClock(func() time.Time { return time.Now().Add(-24 * time.Hour) }))
				must(t, err)
				record(t, past, "mallory")
				return nil
			}},
			{name: "rows reordered", kind: audit.KindReordered, seq: 3, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				dropTriggers(t, db, l.Table())
				a, b := entryAt(t, db, l, 2), entryAt(t, db, l, 3)
				tb := q(db, l.Table())
				must(t, db.Exec(fmt.Sprintf("UPDATE %s SET id = ? WHERE seq = 2", tb), 1000000).Error)
				must(t, db.Exec(fmt.Sprintf("UPDATE %s SET id = ? WHERE seq = 3", tb), a.ID).Error)
				must(t, db.Exec(fmt.Sprintf("UPDATE %s SET id = ? WHERE seq = 2", tb), b.ID).Error)
				return nil
			}},
		}
		switch dialect {
		case "postgres":
			cs = append(cs, tamper{name: "truncate", refused: true, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				return db.Exec("TRUNCATE " + l.Table()).Error
			}}, tamper{name: "truncate of the head", refused: true, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				return db.Exec("TRUNCATE " + l.Table() + "_chain").Error
			}})
		case "mysql":
			// MariaDB has no TRUNCATE trigger: the head shows it.
			cs = append(cs, tamper{name: "truncate", kind: audit.KindMissing, seq: 1, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				must(t, db.Exec("TRUNCATE "+q(db, l.Table())).Error)
				return nil
			}}, tamper{name: "truncate of the head", kind: audit.KindMissing, seq: 0, do: func(t *testing.T, db *gorm.DB, l *audit.Log) error {
				must(t, db.Exec("TRUNCATE "+q(db, l.Table()+"_chain")).Error)
				return nil
			}})
		}
		return cs
	}
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			for _, c := range cases(b.Name) {
				t.Run(c.name, func(t *testing.T) {
					l := chained(t, db, 5)
					err := c.do(t, db.DB, l)
					if c.refused != (err != nil) {
						t.Fatalf("statement error = %v, want refused %v", err, c.refused)
					}
					if c.refused && !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "only moves forward") {
						t.Errorf("refused with %v, want the append-only or head message", err)
					}
					rep, err := l.Verify(ctx, audit.VerifyOptions{})
					if c.refused {
						if err != nil || rep.Entries != 5 {
							t.Fatalf("after a refused change, Verify = %+v, %v", rep, err)
						}
						return
					}
					var ce *audit.ChainError
					if !errors.As(err, &ce) || !errors.Is(err, audit.ErrTampered) {
						t.Fatalf("Verify = %+v, %v; want a ChainError", rep, err)
					}
					if ce.Kind != c.kind || ce.Seq != c.seq {
						t.Errorf("Verify named %s seq %d (%v); want %s seq %d", ce.Kind, ce.Seq, err, c.kind, c.seq)
					}
				})
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func entryAt(t *testing.T, db *gorm.DB, l *audit.Log, seq uint64) audit.Entry {
	t.Helper()
	var e audit.Entry
	must(t, db.Table(l.Table()).Where("seq = ?", seq).Take(&e).Error)
	return e
}

// TestConcurrentWritersShareOneChain: two Logs with their own connection
// pools on one database, as two instances would, write 100 entries each at
// once; the chain verifies and its sequence has no gap and no fork.
func TestConcurrentWritersShareOneChain(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			table := "audit_" + dbtest.Unique()
			dropAppendOnly(t, db, table)
			second := secondPool(t, b.Name, db)
			ctx := context.Background()
			var logs [2]*audit.Log
			for i, d := range []*gorm.DB{db.DB, second} {
				l, err := audit.New(ctx, d, audit.WithTable(table), audit.WithLogger(quiet))
				must(t, err)
				logs[i] = l
			}
			const each = 100
			var wg sync.WaitGroup
			errs := make(chan error, 2*each)
			seqs := make(chan uint64, 2*each)
			for w, l := range logs {
				for g := range 2 { // two goroutines per Log: in-process and cross-process contention
					wg.Go(func() {
						for i := range each / 2 {
							e, err := l.Record(ctx, audit.Entry{Actor: fmt.Sprintf("w%d-g%d-%d", w, g, i), Action: audit.ActionGrant,
								Scope: "policy", Rules: "[]", Before: "[]", After: "[]", Source: "api"})
							if err != nil {
								errs <- err
								return
							}
							seqs <- e.Seq
						}
					})
				}
			}
			wg.Wait()
			close(errs)
			close(seqs)
			for err := range errs {
				t.Fatal(err)
			}
			seen := map[uint64]bool{}
			for s := range seqs {
				if seen[s] {
					t.Fatalf("seq %d handed out twice", s)
				}
				seen[s] = true
			}
			rep, err := logs[1].Verify(ctx, audit.VerifyOptions{})
			if err != nil || rep.Entries != 2*each || rep.Head.Seq != 2*each {
				t.Fatalf("Verify = %+v, %v; want %d entries, head %d", rep, err, 2*each, 2*each)
			}
		})
	}
}

// secondPool opens db again, as another instance would.
func secondPool(t *testing.T, backend string, db dbtest.DB) *gorm.DB {
	t.Helper()
	var d *gorm.DB
	var err error
	if backend == "sqlite" {
		d, err = gorm.Open(sqlite.Open(strings.TrimPrefix(db.DSN, "sqlite://")+"?_pragma=busy_timeout(60000)"),
			&gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	} else {
		d, err = config.OpenDB(db.DSN)
	}
	must(t, err)
	t.Cleanup(func() {
		if s, err := d.DB(); err == nil {
			s.Close()
		}
	})
	return d
}

// legacyTable creates a table as the release before the hash chain did,
// with its append-only triggers and n rows (ids 1 to n), and returns its
// name.
func legacyTable(t *testing.T, db dbtest.DB, n int) string {
	t.Helper()
	table := "audit_" + dbtest.Unique()
	dropAppendOnly(t, db, table)
	// The table as the previous release created it.
	type legacy struct {
		ID         uint64    `gorm:"primaryKey;autoIncrement"`
		Time       time.Time `gorm:"not null;index"`
		Actor      string    `gorm:"size:500;not null;index"`
		Action     string    `gorm:"size:32;not null"`
		Scope      string    `gorm:"size:32;not null"`
		Rules      string    `gorm:"type:text;not null"`
		Before     string    `gorm:"type:text;not null"`
		After      string    `gorm:"type:text;not null"`
		Changed    int       `gorm:"not null"`
		Source     string    `gorm:"size:16;not null"`
		RemoteAddr string    `gorm:"size:128"`
		RequestID  string    `gorm:"size:128"`
		Error      string    `gorm:"type:text"`
		Note       string    `gorm:"type:text"`
	}
	must(t, db.Table(table).AutoMigrate(&legacy{}))
	// … with the previous release's append-only triggers.
	var old []string
	switch db.Dialector.Name() {
	case "postgres":
		old = []string{
			fmt.Sprintf(`CREATE FUNCTION %s_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$`, table),
			fmt.Sprintf(`CREATE TRIGGER %[1]s_no_change BEFORE UPDATE OR DELETE ON %[1]s FOR EACH ROW EXECUTE FUNCTION %[1]s_append_only()`, table),
		}
	case "mysql":
		old = []string{fmt.Sprintf("CREATE TRIGGER `%[1]s_no_update` BEFORE UPDATE ON `%[1]s` FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit log is append-only'", table)}
	default:
		old = []string{fmt.Sprintf(`CREATE TRIGGER "%[1]s_no_update" BEFORE UPDATE ON "%[1]s" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`, table)}
	}
	for _, s := range old {
		must(t, db.Exec(s).Error)
	}
	for i := range n {
		must(t, db.Table(table).Create(&legacy{Time: time.Now().UTC(), Actor: fmt.Sprint("old", i), Action: "grant",
			Scope: "policy", Rules: "[]", Before: "[]", After: "[]", Source: "cli"}).Error)
	}
	return table
}

// TestMigrateLegacyTable: an audit table from before the chain keeps its
// rows; the chain starts at the first new entry, and Verify counts the old
// rows as unchained.
func TestMigrateLegacyTable(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := b.Open(t)
			table := legacyTable(t, db, 3)
			l, err := audit.New(context.Background(), db.DB, audit.WithTable(table), audit.WithLogger(quiet))
			must(t, err)
			e := record(t, l, "new")
			if e.Seq != 1 || e.ID != 4 {
				t.Errorf("first new entry: seq %d id %d, want seq 1 id 4", e.Seq, e.ID)
			}
			record(t, l, "newer")
			rep, err := l.Verify(context.Background(), audit.VerifyOptions{})
			if err != nil || rep.Unchained != 3 || rep.Entries != 2 {
				t.Fatalf("Verify = %+v, %v; want 3 unchained and 2 entries", rep, err)
			}
			all, err := l.List(context.Background(), audit.Query{})
			if err != nil || len(all) != 5 || all[0].Actor != "old0" || all[0].Seq != 0 {
				t.Fatalf("List = %+v, %v", all, err)
			}
		})
	}
}

func TestChainErrorNamesTheEntry(t *testing.T) {
	for _, c := range []struct {
		err  audit.ChainError
		want string
	}{
		{audit.ChainError{Kind: audit.KindAltered, Seq: 3, ID: 7, Detail: "d"}, "audit: entry seq 3 (id 7) altered: d"},
		{audit.ChainError{Kind: audit.KindMissing, Seq: 3, LastSeq: 5, Detail: "d"}, "audit: entry seq 3 to 5 missing: d"},
		{audit.ChainError{Kind: audit.KindForged, ID: 9, Detail: "d"}, "audit: entry id 9 forged: d"},
		{audit.ChainError{Kind: audit.KindMissing, Detail: "d"}, "audit: log missing: d"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
		if !errors.Is(&c.err, audit.ErrTampered) {
			t.Errorf("%q does not wrap ErrTampered", c.want)
		}
	}
}
