package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"gorm.io/gorm"
)

// ErrWrite is wrapped by Record when the entry could not be stored. The
// entry has been logged through slog all the same.
var ErrWrite = errors.New("audit: entry not stored")

// ErrInvalidTable is returned for a table name that is not a plain SQL
// identifier; the name is spliced into DDL, so nothing else is accepted.
var ErrInvalidTable = errors.New("audit: invalid table name")

// ErrTimeZone is returned on a MySQL/MariaDB connection that does not
// read and write DATETIME in UTC. The driver turns a time into the wall
// clock of its loc parameter, and DATETIME keeps no zone: entries written
// under one loc and read under another have other times than they were
// hashed with, and verify as altered. Connect with loc=UTC (the default).
var ErrTimeZone = errors.New("audit: the connection does not read DATETIME in UTC (set loc=UTC in the MySQL DSN)")

// checkTimeZone returns ErrTimeZone unless db reads a DATETIME as the
// same instant in UTC.
func checkTimeZone(ctx context.Context, db *gorm.DB) error {
	if db.Dialector.Name() != "mysql" {
		return nil
	}
	var got time.Time
	if err := db.WithContext(ctx).Raw("SELECT CAST('2000-01-01 00:00:00' AS DATETIME)").Row().Scan(&got); err != nil {
		return fmt.Errorf("%w: %w", ErrTimeZone, err)
	}
	if want := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		return fmt.Errorf("%w: it reads 2000-01-01 00:00:00 as %s", ErrTimeZone, got.Format(time.RFC3339))
	}
	return nil
}

// identRe leaves room for the suffixes of the head table and triggers
// within PostgreSQL's 63-byte identifiers.
var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,48}$`)

// Log appends entries to the audit table and to slog. It is safe for
// concurrent use.
type Log struct {
	db     *gorm.DB
	table  string
	logger *slog.Logger
	now    func() time.Time
}

// Option configures a Log.
type Option func(*Log)

// WithTable sets the table (DefaultTable). Tests and deployments sharing a
// database use distinct names.
func WithTable(name string) Option { return func(l *Log) { l.table = name } }

// WithLogger sets the slog logger every entry is written to
// (slog.Default()).
func WithLogger(lg *slog.Logger) Option { return func(l *Log) { l.logger = lg } }

// WithClock sets the clock that stamps entries without a Time.
func WithClock(now func() time.Time) Option { return func(l *Log) { l.now = now } }

// New returns a Log on db, creating the table and its append-only triggers
// if they do not exist (see Migrate).
func New(ctx context.Context, db *gorm.DB, opts ...Option) (*Log, error) {
	l, err := Open(db, opts...)
	if err != nil {
		return nil, err
	}
	if err := l.Migrate(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Open returns a Log on db without touching the database: no table is
// created and nothing is migrated. It is for readers such as warden audit
// verify, which must not repair what they check; use New to write.
func Open(db *gorm.DB, opts ...Option) (*Log, error) {
	l := &Log{db: db, table: DefaultTable, logger: slog.Default(), now: time.Now}
	for _, o := range opts {
		o(l)
	}
	if !identRe.MatchString(l.table) {
		return nil, fmt.Errorf("%w: %q", ErrInvalidTable, l.table)
	}
	return l, nil
}

// Table returns the name of the audit table.
func (l *Log) Table() string { return l.table }

// Record stamps e (Time, when zero), logs it and appends it to the table
// in a transaction of its own. The ID of the stored entry is set in the
// returned copy.
func (l *Log) Record(ctx context.Context, e Entry) (Entry, error) {
	var stored Entry
	err := l.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		stored, err = l.RecordTx(ctx, tx, e)
		return err
	})
	if err != nil && !errors.Is(err, ErrWrite) {
		// The commit failed: the entry is not stored either.
		l.notStored(ctx, stored, err)
		err = fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if err == nil {
		l.Committed(ctx, stored)
	}
	return stored, err
}

// Committed writes the "audit chain head" log line for e, an entry that
// RecordTx returned, once the caller's transaction has committed (Record
// does it itself). The line is not written inside the transaction, since a
// rollback would leave a head in the logs that the table never held.
func (l *Log) Committed(ctx context.Context, e Entry) {
	l.logHead(ctx, Head{Seq: e.Seq, Hash: e.Hash, Time: e.Time})
}

// logHead writes the chain head as a log line, so that a log store outside
// the database keeps a trail of heads that a rewritten table cannot match.
func (l *Log) logHead(ctx context.Context, h Head) {
	l.logger.LogAttrs(ctx, slog.LevelInfo, "audit chain head", slog.String("table", l.table),
		slog.Uint64("seq", h.Seq), slog.String("hash", h.Hash))
}

// LogHead reads the chain head and writes it as a log line ("audit chain
// head", with seq and hash); warden serve calls it at start.
func (l *Log) LogHead(ctx context.Context) (Head, error) {
	h, err := l.Head(ctx)
	if err != nil {
		return h, err
	}
	l.logHead(ctx, h)
	return h, nil
}

// RecordTx is Record inside the caller's transaction tx: the entry is
// stored if and only if tx commits, so a change and its audit entry are
// one atomic write. It is logged through slog at once, whether tx commits
// or not (the line says what was attempted).
//
// RecordTx locks the chain head until tx ends, takes the next sequence
// number and chains the entry to the previous one (see Hash); concurrent
// writers, in this process or others, wait for each other there. Keep tx
// short after RecordTx, and call Committed after the commit.
func (l *Log) RecordTx(ctx context.Context, tx *gorm.DB, e Entry) (Entry, error) {
	stamped := !e.Time.IsZero()
	if !stamped {
		e.Time = l.now()
	}
	e.Time = e.Time.UTC()
	e.ID, e.Seq, e.PrevHash, e.Hash = 0, 0, "", ""
	attrs := []slog.Attr{
		slog.String("actor", e.Actor), slog.String("action", e.Action), slog.String("scope", e.Scope),
		slog.String("rules", e.Rules), slog.String("before", e.Before), slog.String("after", e.After),
		slog.Int("changed", e.Changed), slog.String("source", e.Source),
		slog.String("remote_addr", e.RemoteAddr), slog.String("request_id", e.RequestID),
		slog.Time("time", e.Time),
	}
	level := slog.LevelInfo
	if e.Note != "" {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("note", e.Note))
	}
	if e.Error != "" {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", e.Error))
	}
	l.logger.LogAttrs(ctx, level, "policy change", attrs...)
	tx = tx.WithContext(ctx)
	head, err := l.lockHead(tx)
	if err != nil {
		l.notStored(ctx, e, err)
		return e, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if !stamped {
		// Stamped under the lock, so that one clock's entries never go
		// back in time along the chain.
		e.Time = l.now().UTC()
	}
	// The log line above has the full values; the row gets what its
	// columns hold, so that an over-long token subject cannot make the
	// insert fail after the change was applied. What is hashed is exactly
	// what is stored.
	e = fitColumns(e)
	e.Time = e.Time.Truncate(TimePrecision)
	e.Seq, e.PrevHash = head.Seq+1, head.Hash
	if e.Hash, err = Hash(e); err != nil {
		l.notStored(ctx, e, err)
		return e, fmt.Errorf("%w: chain head: %w", ErrWrite, err)
	}
	if err := tx.Table(l.table).Create(&e).Error; err != nil {
		l.notStored(ctx, e, err)
		return e, fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if err := tx.Exec(fmt.Sprintf("UPDATE %s SET seq = ?, hash = ?, time = ? WHERE id = 1", quoteIdent(tx, l.headTable())),
		e.Seq, e.Hash, e.Time).Error; err != nil {
		l.notStored(ctx, e, err)
		return e, fmt.Errorf("%w: chain head: %w", ErrWrite, err)
	}
	return e, nil
}

// notStored logs that e could not be stored.
func (l *Log) notStored(ctx context.Context, e Entry, err error) {
	l.logger.LogAttrs(ctx, slog.LevelError, "audit entry not stored", slog.String("request_id", e.RequestID),
		slog.String("table", l.table), slog.String("error", err.Error()))
}

// Query selects entries for List.
type Query struct {
	// Actor, when set, keeps only that actor's entries.
	Actor string
	// AfterID keeps entries with a greater ID, for paging.
	AfterID uint64
	// Limit bounds the result (100 when 0).
	Limit int
}

// List returns entries in the order they were recorded.
func (l *Log) List(ctx context.Context, q Query) ([]Entry, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	tx := l.db.WithContext(ctx).Table(l.table).Where("id > ?", q.AfterID)
	if q.Actor != "" {
		// Exactly this actor: MySQL/MariaDB compare the column in the
		// database's collation, where "Carol" and "carol " are "carol";
		// against a binary string they compare bytes.
		if l.db.Dialector.Name() == "mysql" {
			tx = tx.Where("actor = CAST(? AS BINARY)", q.Actor)
		} else {
			tx = tx.Where("actor = ?", q.Actor)
		}
	}
	var out []Entry
	if err := tx.Order("id").Limit(q.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("audit: list %s: %w", l.table, err)
	}
	return out, nil
}
