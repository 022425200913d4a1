package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrTampered is wrapped by the *ChainError that Verify returns when the
// table is not the chain Warden wrote.
var ErrTampered = errors.New("audit: log tampered with")

// Kinds of ChainError.
const (
	// KindMissing: entries with these sequence numbers are gone (deleted,
	// or the table was truncated; the head table remembers the end).
	KindMissing = "missing"
	// KindAltered: the entry's content no longer matches its hash.
	KindAltered = "altered"
	// KindForged: the entry is consistent in itself but is not the one
	// the chain holds at its place (its prev_hash is not its
	// predecessor's hash, or its successor was chained to another hash),
	// or it was inserted without a sequence number (above the rows from
	// before the chain), or lies beyond the recorded head.
	KindForged = "forged"
	// KindReordered: entries are not in the order they were written
	// (sequence numbers going down as ids go up).
	KindReordered = "reordered"
	// KindBackdated: the entry's time is earlier than its predecessor's
	// by more than the tolerance.
	KindBackdated = "backdated"
)

// ChainError names the first entry at which the chain does not hold.
type ChainError struct {
	Kind string
	// Seq is the sequence number concerned (the first missing one for
	// KindMissing), ID the row id when there is a row.
	Seq, ID uint64
	// LastSeq is the last missing sequence number for KindMissing.
	LastSeq uint64
	Detail  string
}

func (e *ChainError) Error() string {
	var where []string
	switch {
	case e.Kind == KindMissing && e.LastSeq > e.Seq:
		where = append(where, fmt.Sprintf("seq %d to %d", e.Seq, e.LastSeq))
	case e.Seq > 0:
		where = append(where, fmt.Sprintf("seq %d", e.Seq))
	}
	if e.ID != 0 {
		id := fmt.Sprintf("id %d", e.ID)
		if len(where) > 0 {
			id = "(" + id + ")"
		}
		where = append(where, id)
	}
	if len(where) == 0 {
		return fmt.Sprintf("audit: log %s: %s", e.Kind, e.Detail)
	}
	return fmt.Sprintf("audit: entry %s %s: %s", strings.Join(where, " "), e.Kind, e.Detail)
}

// Unwrap makes errors.Is(err, ErrTampered) hold.
func (e *ChainError) Unwrap() error { return ErrTampered }

// DefaultTolerance is how far an entry's time may go back from its
// predecessor's before Verify calls it back-dated: the clocks of several
// instances, and entries stamped before they waited for the chain lock,
// differ by less.
const DefaultTolerance = time.Minute

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Tolerance overrides DefaultTolerance when positive.
	Tolerance time.Duration
}

// Report is what Verify read.
type Report struct {
	// Entries counts the chained entries checked.
	Entries uint64
	// Unchained counts rows from before the chain (see Migrate), which
	// cannot be checked.
	Unchained uint64
	// Head is the last chained entry's seq and hash, as read from the
	// entries (not from the head table).
	Head Head
}

// verifyPage is how many rows Verify reads at a time.
const verifyPage = 1000

// Verify reads the whole table in sequence order and checks the chain:
// sequence numbers from 1 without gaps, ids rising with them, each
// entry's hash over its content and its predecessor's hash, times that do
// not go back beyond the tolerance, no row without a sequence number above
// the last row from before the chain (recorded in the head table when the
// chain began) or after the chain started, and an end that matches the
// head table. It returns
// the first problem as a *ChainError (wrapping ErrTampered); other errors
// mean the database could not be read.
func (l *Log) Verify(ctx context.Context, opts VerifyOptions) (Report, error) {
	tol := opts.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	if err := checkTimeZone(ctx, l.db); err != nil {
		return Report{}, err
	}
	recorded, err := l.Head(ctx)
	if errors.Is(err, errNoHead) {
		return Report{}, &ChainError{Kind: KindMissing,
			Detail: fmt.Sprintf("the chain head row of %s is gone: the head table was emptied (TRUNCATE on MariaDB/MySQL), so the end of the log cannot be checked", l.headTable())}
	}
	if err != nil {
		return Report{}, err
	}
	db := l.db.WithContext(ctx).Table(l.table)
	var rep Report
	if err := l.outOfRange(ctx); err != nil {
		return rep, err
	}
	var first struct {
		N     int64
		MinID *uint64
	}
	if err := db.Select("count(*) AS n, min(id) AS min_id").Where("seq > 0").Scan(&first).Error; err != nil {
		return rep, fmt.Errorf("audit: verify %s: %w", l.table, err)
	}
	var unchained []Entry
	q := l.db.WithContext(ctx).Table(l.table).Where("seq IS NULL OR seq = 0")
	if err := q.Order("id").Find(&unchained).Error; err != nil {
		return rep, fmt.Errorf("audit: verify %s: %w", l.table, err)
	}
	mark, err := l.recordedPreChainID(ctx)
	if err != nil {
		return rep, err
	}
	for _, e := range unchained {
		if e.ID > mark {
			return rep, &ChainError{Kind: KindForged, ID: e.ID,
				Detail: fmt.Sprintf("row id %d has no sequence number but the rows from before the chain end at id %d (recorded in %s): inserted outside Warden", e.ID, mark, l.headTable())}
		}
		if first.MinID != nil && e.ID > *first.MinID {
			return rep, &ChainError{Kind: KindForged, ID: e.ID,
				Detail: fmt.Sprintf("row id %d has no sequence number but comes after the chain started (id %d): inserted outside Warden", e.ID, *first.MinID)}
		}
		rep.Unchained++
	}
	prev := Head{Hash: GenesisHash}
	var prevID uint64
	for {
		var page []Entry
		if err := l.db.WithContext(ctx).Table(l.table).Where("seq > ?", prev.Seq).Order("seq").Limit(verifyPage).Find(&page).Error; err != nil {
			return rep, fmt.Errorf("audit: verify %s: %w", l.table, err)
		}
		for _, e := range page {
			if err := check(&rep, &prev, &prevID, e, recorded, tol); err != nil {
				return rep, err
			}
		}
		if len(page) < verifyPage {
			break
		}
	}
	rep.Head = prev
	var total int64
	if err := l.db.WithContext(ctx).Table(l.table).Count(&total).Error; err != nil {
		return rep, fmt.Errorf("audit: verify %s: %w", l.table, err)
	}
	if checked := rep.Entries + rep.Unchained; uint64(total) != checked {
		return rep, &ChainError{Kind: KindForged,
			Detail: fmt.Sprintf("the table holds %d rows but only %d are chained entries or rows from before the chain: rows inserted outside Warden", total, checked)}
	}
	switch {
	case recorded.Seq > prev.Seq:
		return rep, &ChainError{Kind: KindMissing, Seq: prev.Seq + 1, LastSeq: recorded.Seq,
			Detail: fmt.Sprintf("the chain head records seq %d but the table ends at seq %d: its end was deleted or the table truncated", recorded.Seq, prev.Seq)}
	case recorded.Seq < prev.Seq:
		return rep, &ChainError{Kind: KindForged, Seq: recorded.Seq + 1,
			Detail: fmt.Sprintf("the table goes on past the chain head (seq %d): entries inserted outside Warden", recorded.Seq)}
	case recorded.Hash != prev.Hash:
		return rep, &ChainError{Kind: KindForged, Seq: prev.Seq, ID: prevID,
			Detail: "the last entry is not the one the chain head records: rewritten with a recomputed hash"}
	}
	return rep, nil
}

// recordedPreChainID reads the head row's pre-chain mark: the highest id
// of the rows from before the chain. Verify refuses to guess it when it is
// not recorded (a database not yet migrated by this release).
func (l *Log) recordedPreChainID(ctx context.Context) (uint64, error) {
	var rows []headRow
	err := l.db.WithContext(ctx).Raw(fmt.Sprintf("SELECT pre_chain_id FROM %s WHERE id = 1", quoteIdent(l.db, l.headTable()))).Scan(&rows).Error
	if err == nil && (len(rows) != 1 || rows[0].PreChainID == nil) {
		err = errors.New("no row records it")
	}
	if err != nil {
		return 0, fmt.Errorf("audit: verify %s: read which rows predate the chain (pre_chain_id of %s; Migrate, run by warden serve, records it): %w",
			l.table, l.headTable(), err)
	}
	return *rows[0].PreChainID, nil
}

// outOfRange finds a row that no query of the chain would read: an id
// below 1 (which no database assigns, and which would pass for a row from
// before the chain), a negative sequence number, or, on SQLite, which
// stores any value in any column, an id or seq that is not an integer.
// Warden writes none of them.
func (l *Log) outOfRange(ctx context.Context) error {
	cond := "id <= 0 OR seq < 0"
	if l.db.Dialector.Name() == "sqlite" {
		cond += " OR typeof(id) <> 'integer' OR typeof(seq) NOT IN ('integer', 'null')"
	}
	var rows []struct {
		ID, Seq *string
	}
	err := l.db.WithContext(ctx).Raw(fmt.Sprintf("SELECT CAST(id AS CHAR(40)) AS id, CAST(seq AS CHAR(40)) AS seq FROM %s WHERE %s LIMIT 1",
		quoteIdent(l.db, l.table), cond)).Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("audit: verify %s: %w", l.table, err)
	}
	if len(rows) == 0 {
		return nil
	}
	str := func(p *string) string {
		if p == nil {
			return "NULL"
		}
		return strings.TrimSpace(*p) // PostgreSQL pads CHAR(40)
	}
	return &ChainError{Kind: KindForged,
		Detail: fmt.Sprintf("a row with id %s and seq %s, values Warden never writes: inserted outside Warden", str(rows[0].ID), str(rows[0].Seq))}
}

// check verifies one row against its predecessor and advances prev.
func check(rep *Report, prev *Head, prevID *uint64, e Entry, recorded Head, tol time.Duration) error {
	if want := prev.Seq + 1; e.Seq > want {
		return &ChainError{Kind: KindMissing, Seq: want, LastSeq: e.Seq - 1,
			Detail: fmt.Sprintf("the entry after seq %d is seq %d (id %d)", prev.Seq, e.Seq, e.ID)}
	}
	if e.ID <= *prevID {
		return &ChainError{Kind: KindReordered, Seq: e.Seq, ID: e.ID,
			Detail: fmt.Sprintf("it was stored before seq %d (id %d), which it follows in the chain", prev.Seq, *prevID)}
	}
	if !e.Time.Equal(e.Time.Truncate(TimePrecision)) {
		// The hash covers milliseconds, the precision Record stores; a
		// finer time was changed after the entry was written.
		return &ChainError{Kind: KindAltered, Seq: e.Seq, ID: e.ID,
			Detail: fmt.Sprintf("its time %s is finer than the %s Warden stores: changed after it was hashed", e.Time.UTC().Format(time.RFC3339Nano), TimePrecision)}
	}
	got, err := Hash(e)
	if err != nil {
		return &ChainError{Kind: KindAltered, Seq: e.Seq, ID: e.ID, Detail: err.Error()}
	}
	if got != e.Hash {
		return &ChainError{Kind: KindAltered, Seq: e.Seq, ID: e.ID, Detail: "its content does not match its hash"}
	}
	if e.PrevHash != prev.Hash {
		if e.Seq > recorded.Seq {
			return &ChainError{Kind: KindForged, Seq: e.Seq, ID: e.ID,
				Detail: fmt.Sprintf("it lies past the chain head (seq %d) and does not chain to seq %d", recorded.Seq, prev.Seq)}
		}
		if prev.Seq == 0 {
			return &ChainError{Kind: KindForged, Seq: e.Seq, ID: e.ID, Detail: "the first entry does not start from the genesis hash"}
		}
		return &ChainError{Kind: KindForged, Seq: prev.Seq, ID: *prevID,
			Detail: fmt.Sprintf("its hash is not the one seq %d (id %d) was chained to: rewritten with a recomputed hash, or seq %d forged", e.Seq, e.ID, e.Seq)}
	}
	if prev.Seq > 0 && e.Time.Before(prev.Time.Add(-tol)) {
		return &ChainError{Kind: KindBackdated, Seq: e.Seq, ID: e.ID,
			Detail: fmt.Sprintf("its time %s is %s before seq %d's %s (tolerance %s)", e.Time.UTC().Format(time.RFC3339Nano),
				prev.Time.Sub(e.Time), prev.Seq, prev.Time.UTC().Format(time.RFC3339Nano), tol)}
	}
	rep.Entries++
	*prev, *prevID = Head{Seq: e.Seq, Hash: e.Hash, Time: e.Time}, e.ID
	return nil
}
