package rulelog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/casbin/casbin/v2/model"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/watcher"
)

// Write is what a write did, as a TxFunc sees it inside the transaction.
type Write struct {
	Op enforcer.Op
	// Asked are the rules of the change set, Changed those the store
	// actually added or removed.
	Asked, Changed []enforcer.Rule
	// Revision is the revision the write commits under, 0 when it changed
	// nothing.
	Revision uint64
	// ChangeID is the write's random id, in every log row it writes.
	ChangeID string

	store *Store
	tx    *gorm.DB // the write's transaction, while a TxFunc runs
}

// LoadPolicy reads the store's rules into m as the write's transaction
// sees them, its own changes included, as LoadPolicyCtx does. The
// transaction took the head row's lock first, so no other writer of the
// store can change them until it ends: a TxFunc judges the policy that
// commits (package policyadmin refuses there an admin change that would
// leave no administrator, whatever other instances wrote meanwhile). On
// MySQL the read locks the rows it reads, so that it sees the latest
// committed rows whatever the isolation level. It works only while the
// TxFunc it was given to runs.
func (w Write) LoadPolicy(ctx context.Context, m model.Model) error {
	return w.load(ctx, m)
}

// load is LoadPolicy of the rules of ptypes, or of every rule when none is
// given.
func (w Write) load(ctx context.Context, m model.Model, ptypes ...string) error {
	if w.tx == nil {
		return errors.New("rulelog: Write.LoadPolicy outside its write's transaction")
	}
	lock := ""
	if w.store.dialect == "mysql" {
		lock = " LOCK IN SHARE MODE"
	}
	return w.store.loadRows(w.tx.WithContext(ctx), lock, m, ptypes...)
}

// TxFunc runs inside a write's transaction, after the rule and log rows are
// written, such as an audit insert. Its error rolls the whole write back.
type TxFunc func(ctx context.Context, tx *gorm.DB, w Write) error

type txFuncKey struct{}

// WithTxFunc returns a context under which the Store's next write through
// it (enforcer.AddRules, RemoveRules) also runs f inside its transaction:
// the change and f's rows commit together or not at all. f runs once per
// transaction attempt, and only on a Store: an adapter without
// transactions never calls it.
func WithTxFunc(ctx context.Context, f TxFunc) context.Context {
	return context.WithValue(ctx, txFuncKey{}, f)
}

// session identifies a write's server session and change, to find out
// whether it committed when the answer to COMMIT is lost.
type session struct {
	changeID string
	pid      int64  // PostgreSQL backend pid or MySQL connection id; 0 for SQLite
	started  string // PostgreSQL backend_start, so that a reused pid is never killed
	w        Write
}

// WriteChanges implements enforcer.ChangeLog: it adds or removes c's rules
// in one transaction with their log rows, the context's TxFunc and, with
// WithNotify, the announcement.
func (s *Store) WriteChanges(ctx context.Context, c enforcer.ChangeSet) (enforcer.Written, error) {
	if c.Op != enforcer.OpAdd && c.Op != enforcer.OpRemove {
		return enforcer.Written{}, fmt.Errorf("%w: op %q", enforcer.ErrInvalidRule, c.Op)
	}
	for _, r := range c.Rules {
		if err := checkRule(r); err != nil {
			return enforcer.Written{}, err
		}
	}
	if err := s.resolvePending(ctx); err != nil {
		return enforcer.Written{}, err
	}
	f, _ := ctx.Value(txFuncKey{}).(TxFunc)
	sess := &session{changeID: newChangeID(), w: Write{Op: c.Op, Asked: c.Rules}}
	w, err := s.write(ctx, c, f, sess)
	var ce *commitError
	if !errors.As(err, &ce) {
		return w, err
	}
	// The answer to COMMIT was lost: ask the store before answering.
	committed, rerr := s.resolve(ctx, sess)
	switch {
	case rerr != nil:
		s.mu.Lock()
		s.pending = sess
		s.mu.Unlock()
		return enforcer.Written{}, fmt.Errorf("rulelog: %w: the commit failed (%w) and the store could not be asked (%w)",
			enforcer.ErrOutcomeUnknown, ce.err, rerr)
	case committed:
		s.logger.Warn("rulelog: the answer to COMMIT was lost; the change is in the store", "table", s.table,
			"change_id", sess.changeID, "revision", sess.w.Revision, "err", err)
		return s.written(sess.w), nil
	}
	return enforcer.Written{}, fmt.Errorf("rulelog: the change was not stored: %w", ce.err)
}

// WriteChangesChecked implements enforcer.CommitChecker: WriteChanges
// with check run in the transaction after the rule and log rows are written
// and before the context's TxFunc, its load reading the rules (of the
// ptypes it names) as the transaction sees them (Write.LoadPolicy). The transaction holds the head
// row's lock, so no other writer commits between the check and the
// commit: two instances that each add one half of what check refuses
// cannot both commit.
func (s *Store) WriteChangesChecked(ctx context.Context, c enforcer.ChangeSet, check enforcer.CommitCheck) (enforcer.Written, error) {
	if check == nil {
		return s.WriteChanges(ctx, c)
	}
	f, _ := ctx.Value(txFuncKey{}).(TxFunc)
	return s.WriteChanges(WithTxFunc(ctx, func(ctx context.Context, tx *gorm.DB, w Write) error {
		if err := check(ctx, w.load); err != nil {
			return err
		}
		if f != nil {
			return f(ctx, tx, w)
		}
		return nil
	}), c)
}

// commitError is a failure of COMMIT itself, whose outcome is unknown.
type commitError struct{ err error }

func (e *commitError) Error() string { return "rulelog: commit: " + e.err.Error() }
func (e *commitError) Unwrap() error { return e.err }

func (s *Store) written(w Write) enforcer.Written {
	return enforcer.Written{Revision: w.Revision, Changed: w.Changed, Announced: s.notifyChannel != "" && w.Revision > 0}
}

// write runs the transaction. A *commitError means COMMIT was
// attempted and failed; any other error means nothing was committed.
func (s *Store) write(ctx context.Context, c enforcer.ChangeSet, f TxFunc, sess *session) (enforcer.Written, error) {
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	tx := s.db.WithContext(ctx).Begin()
	if tx.Error != nil {
		return enforcer.Written{}, fmt.Errorf("rulelog: begin: %w", tx.Error)
	}
	fail := func(err error) (enforcer.Written, error) {
		if rerr := tx.Rollback().Error; rerr != nil && sess.pid != 0 {
			// The connection is gone but its server session may live on,
			// holding the head lock and blocking every writer: end it.
			s.endSession(sess)
		}
		return enforcer.Written{}, err
	}
	rev, err := s.bump(tx, sess)
	if err != nil {
		return fail(fmt.Errorf("rulelog: take the next revision of %s: %w", s.table, err))
	}
	w := &sess.w
	for _, r := range c.Rules {
		n, err := s.writeRule(tx, c.Op, r)
		if err != nil {
			return fail(fmt.Errorf("rulelog: %s %s: %w", c.Op, r, err))
		}
		if n > 0 {
			w.Changed = append(w.Changed, r)
		}
	}
	if len(w.Changed) == 0 {
		// Nothing changed: give the revision back (the head's lock is ours
		// until the end), so that every revision has log rows.
		if err := tx.Exec("UPDATE " + s.q.head + " SET revision = revision - 1 WHERE id = 1").Error; err != nil {
			return fail(fmt.Errorf("rulelog: %w", err))
		}
	} else {
		w.Revision = rev
		if err := s.insertLog(tx, *w, sess.changeID); err != nil {
			return fail(err)
		}
	}
	w.ChangeID = sess.changeID
	if f != nil {
		fw := *w
		fw.store, fw.tx = s, tx
		if err := f(ctx, tx, fw); err != nil {
			return fail(err)
		}
	}
	if s.notifyChannel != "" && w.Revision > 0 {
		payload := watcher.EncodeHint(s.instance, w.Revision)
		if err := tx.Exec("SELECT pg_notify(?, ?)", s.notifyChannel, payload).Error; err != nil {
			return fail(fmt.Errorf("rulelog: notify: %w", err))
		}
	}
	if err := tx.Commit().Error; err != nil {
		return enforcer.Written{}, &commitError{err}
	}
	if w.Revision > 0 && w.Revision%pruneEvery == 0 {
		if err := s.Prune(context.WithoutCancel(ctx)); err != nil {
			s.logger.Warn("rulelog: prune the change log", "table", s.table, "err", err)
		}
	}
	return s.written(*w), nil
}

// bump increments the head's revision, which locks the head row until the
// transaction ends, and returns it; it records the server session.
func (s *Store) bump(tx *gorm.DB, sess *session) (uint64, error) {
	var rev uint64
	switch s.dialect {
	case "postgres":
		row := tx.Raw("UPDATE " + s.q.head + " SET revision = revision + 1 WHERE id = 1 " +
			"RETURNING revision, pg_backend_pid(), (SELECT backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid())").Row()
		var started *string
		if err := row.Scan(&rev, &sess.pid, &started); err != nil {
			return 0, err
		}
		if started != nil {
			sess.started = *started
		}
	case "mysql":
		res := tx.Exec("UPDATE " + s.q.head + " SET revision = LAST_INSERT_ID(revision + 1) WHERE id = 1")
		if res.Error != nil {
			return 0, res.Error
		}
		if res.RowsAffected != 1 {
			return 0, fmt.Errorf("head row of %s is missing", s.table)
		}
		if err := tx.Raw("SELECT LAST_INSERT_ID(), CONNECTION_ID()").Row().Scan(&rev, &sess.pid); err != nil {
			return 0, err
		}
	default:
		// The first statement writes, so SQLite takes its write lock now
		// (an immediate transaction) and serialises writers.
		if err := tx.Raw("UPDATE " + s.q.head + " SET revision = revision + 1 WHERE id = 1 RETURNING revision").Row().Scan(&rev); err != nil {
			return 0, err
		}
	}
	return rev, nil
}

// writeRule inserts or deletes one rule row and returns how many rows the
// store affected.
func (s *Store) writeRule(tx *gorm.DB, op enforcer.Op, r enforcer.Rule) (int64, error) {
	args := make([]any, 0, 1+maxValues)
	args = append(args, r.PType)
	for i := range maxValues {
		v := ""
		if i < len(r.Values) {
			v = r.Values[i]
		}
		args = append(args, v)
	}
	var stmt string
	switch {
	case op == enforcer.OpRemove:
		stmt = "DELETE FROM " + s.q.rules + " WHERE ptype = ? AND v0 = ? AND v1 = ? AND v2 = ? AND v3 = ? AND v4 = ? AND v5 = ?"
	case s.dialect == "mysql":
		// Not INSERT IGNORE: it would turn every error, a value too long
		// included, into a warning. Not ON DUPLICATE KEY UPDATE either:
		// under the client flag CLIENT_FOUND_ROWS (clientFoundRows=true in
		// a DSN) it counts a row it found as affected, and a grant of a
		// stored rule would report a change. An insert of a row that is
		// absent counts only what it inserted; a row written meanwhile
		// behind the head lock fails on the unique key.
		stmt = "INSERT INTO " + s.q.rules + " (ptype, v0, v1, v2, v3, v4, v5) SELECT ?, ?, ?, ?, ?, ?, ? FROM DUAL " +
			"WHERE NOT EXISTS (SELECT 1 FROM " + s.q.rules + " WHERE ptype = ? AND v0 = ? AND v1 = ? AND v2 = ? AND v3 = ? AND v4 = ? AND v5 = ?)"
		args = append(args, args...)
	default:
		// The conflict target is the exact unique index on the whole rule:
		// a conflict on any other unique index (one that folds case, say,
		// added by whoever owns the table) is an error, never a rule
		// silently not stored and reported as already present.
		// SQLite takes any index on these columns for the target unless
		// the target names the collation.
		target := "ptype, v0, v1, v2, v3, v4, v5"
		if s.dialect == "sqlite" {
			target = "ptype COLLATE BINARY, v0 COLLATE BINARY, v1 COLLATE BINARY, v2 COLLATE BINARY, " +
				"v3 COLLATE BINARY, v4 COLLATE BINARY, v5 COLLATE BINARY"
		}
		stmt = "INSERT INTO " + s.q.rules + " (ptype, v0, v1, v2, v3, v4, v5) VALUES (?, ?, ?, ?, ?, ?, ?) " +
			"ON CONFLICT (" + target + ") DO NOTHING"
	}
	res := tx.Exec(stmt, args...)
	return res.RowsAffected, res.Error
}

// logRow is one row of the change log.
type logRow struct {
	Revision  uint64
	Seq       int
	Op        string
	PType     string `gorm:"column:ptype"`
	Vals      string
	ChangeID  string
	CreatedMS int64 `gorm:"column:created_ms"`
}

func (s *Store) insertLog(tx *gorm.DB, w Write, changeID string) error {
	now := s.now().UnixMilli()
	rows := make([]logRow, len(w.Changed))
	for i, r := range w.Changed {
		vals, _ := json.Marshal(r.Values) // []string always encodes
		rows[i] = logRow{Revision: w.Revision, Seq: i + 1, Op: string(w.Op), PType: r.PType, Vals: string(vals),
			ChangeID: changeID, CreatedMS: now}
	}
	if err := tx.Table(s.table+"_log").CreateInBatches(rows, 200).Error; err != nil {
		return fmt.Errorf("rulelog: write the change log of %s: %w", s.table, err)
	}
	return nil
}

// resolvePending finds out how an earlier write with an unknown outcome
// ended, before any new write; until it knows, it refuses.
func (s *Store) resolvePending(ctx context.Context) error {
	s.mu.Lock()
	sess := s.pending
	s.mu.Unlock()
	if sess == nil {
		return nil
	}
	committed, err := s.resolve(ctx, sess)
	if err != nil {
		return fmt.Errorf("%w: %w: change %s: %w", ErrPending, enforcer.ErrOutcomeUnknown, sess.changeID, err)
	}
	s.mu.Lock()
	if s.pending == sess {
		s.pending = nil
	}
	s.mu.Unlock()
	s.logger.Warn("rulelog: outcome of an earlier change found", "table", s.table, "change_id", sess.changeID,
		"committed", committed, "revision", sess.w.Revision)
	return nil
}

// resolve reports whether sess's change committed. It ends the session's
// server process if it lives on, then takes the head lock, which waits for
// any commit still in flight, and looks for the change id in the log.
func (s *Store) resolve(ctx context.Context, sess *session) (bool, error) {
	if sess.w.Revision == 0 {
		// A write that changed nothing has no log row to find; the policy
		// is the same whether it committed or not.
		return false, nil
	}
	s.endSession(sess)
	ctx, cancel := s.bounded(context.WithoutCancel(ctx))
	defer cancel()
	var n int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE " + s.q.head + " SET revision = revision WHERE id = 1").Error; err != nil {
			return err
		}
		return tx.Raw("SELECT COUNT(*) FROM "+s.q.log+" WHERE change_id = ?", sess.changeID).Row().Scan(&n)
	})
	if err != nil {
		return false, err
	}
	return n > 0, nil
}

// endSession ends the server session of a write whose connection broke,
// best effort: a session that is gone already is fine.
func (s *Store) endSession(sess *session) {
	if sess.pid == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	db := s.db.WithContext(ctx)
	var err error
	switch s.dialect {
	case "postgres":
		err = db.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ? AND backend_start::text = ?",
			sess.pid, sess.started).Error
	case "mysql":
		// The id comes from the server; KILL takes no placeholder.
		err = db.Exec(fmt.Sprintf("KILL %d", sess.pid)).Error
		if err != nil && strings.Contains(err.Error(), "Unknown thread") {
			err = nil
		}
	}
	if err != nil {
		s.logger.Warn("rulelog: could not end the session of a broken write", "table", s.table, "err", err)
	}
}

func newChangeID() string {
	var b [changeIDBytes]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// checkRule refuses what the casbin_rule layout cannot hold exactly.
func checkRule(r enforcer.Rule) error {
	if r.PType == "" || len(r.PType) > maxValueLen || !utf8.ValidString(r.PType) || strings.ContainsRune(r.PType, 0) {
		return fmt.Errorf("%w: ptype %q", enforcer.ErrInvalidRule, r.PType)
	}
	if len(r.Values) > maxValues {
		return fmt.Errorf("%w: %s has %d values, the table holds at most %d", enforcer.ErrInvalidRule, r, len(r.Values), maxValues)
	}
	for i, v := range r.Values {
		switch {
		case !utf8.ValidString(v), strings.ContainsRune(v, 0):
			return fmt.Errorf("%w: %s: value %d is not valid UTF-8 text", enforcer.ErrInvalidRule, r, i)
		case utf8.RuneCountInString(v) > maxValueLen:
			return fmt.Errorf("%w: %s: value %d is longer than %d characters", enforcer.ErrInvalidRule, r, i, maxValueLen)
		}
	}
	return nil
}
