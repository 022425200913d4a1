package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ChainVersion is the first line of the canonical encoding of an entry
// (see Hash). A new encoding gets a new version.
const ChainVersion = "warden-audit-chain-v1\n"

// GenesisHash is the PrevHash of the first chained entry (seq 1): 32 zero
// bytes, in hex.
var GenesisHash = strings.Repeat("0", 64)

// TimePrecision is the precision of Entry.Time in the chain: every
// database stores milliseconds exactly (MySQL/MariaDB's DATETIME(3) is the
// coarsest), so Record truncates the time to it before hashing.
const TimePrecision = time.Millisecond

// Head is the end of the chain: the sequence number and hash of the last
// entry (0 and GenesisHash before the first).
type Head struct {
	Seq  uint64    `json:"seq"`
	Hash string    `json:"hash"`
	Time time.Time `json:"time,omitzero"`
}

// Hash returns the chain hash of e: the lowercase hex SHA-256 of its
// canonical encoding, which is, byte by byte,
//
//	"warden-audit-chain-v1\n"
//	seq        8 bytes, unsigned big-endian
//	prev_hash  32 bytes (PrevHash decoded from hex; zeros for seq 1)
//	time       8 bytes, signed big-endian, Unix milliseconds (UTC)
//	changed    8 bytes, signed big-endian
//	then actor, action, scope, rules, before, after, source,
//	remote_addr, request_id, error, note, each as a 4-byte unsigned
//	big-endian length in bytes followed by the UTF-8 bytes
//
// The ID is not hashed: the database assigns it during the insert. Every
// field has a fixed position and an explicit length, so no two different
// entries share an encoding.
func Hash(e Entry) (string, error) {
	prev, err := hex.DecodeString(e.PrevHash)
	if err != nil || len(prev) != sha256.Size {
		return "", fmt.Errorf("audit: prev_hash %q is not 64 hex digits", e.PrevHash)
	}
	h := sha256.New()
	var n [8]byte
	put := func(v uint64) { binary.BigEndian.PutUint64(n[:], v); h.Write(n[:]) }
	h.Write([]byte(ChainVersion))
	put(e.Seq)
	h.Write(prev)
	put(uint64(e.Time.UnixMilli()))
	put(uint64(int64(e.Changed)))
	for _, s := range []string{e.Actor, e.Action, e.Scope, e.Rules, e.Before, e.After,
		e.Source, e.RemoteAddr, e.RequestID, e.Error, e.Note} {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(s)))
		h.Write(l[:])
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// headRow is the one row of the head table (TABLE_chain): the chain's end
// as Warden last wrote it. Writers lock it to serialise appends, and the
// verifier compares it with the table's last entry, so that rows deleted
// from the end, or a whole table emptied, show as missing.
//
// PreChainID is the highest id of the rows from before the chain, set
// when the head row is created (0 for a new table) and never changed
// after (the head triggers refuse it): a row without a sequence number
// above it was inserted outside Warden, even in an id gap below the first
// chained entry (PostgreSQL uses up the id of a rolled-back insert). It
// is NULL only on a head row from before this column, until Migrate sets
// it (see preChainID).
type headRow struct {
	ID         int    `gorm:"primaryKey;autoIncrement:false"`
	Seq        uint64 `gorm:"not null"`
	Hash       string `gorm:"size:64;not null"`
	Time       *time.Time
	PreChainID *uint64
}

func (r headRow) head() Head {
	h := Head{Seq: r.Seq, Hash: r.Hash}
	if r.Time != nil {
		h.Time = r.Time.UTC()
	}
	return h
}

// errNoHead: the head table has no row, which Migrate always creates.
var errNoHead = errors.New("audit: the chain head row is missing")

func (l *Log) headTable() string { return l.table + "_chain" }

// lockHead locks the head row until tx ends and returns it. Appends from
// any number of processes are serialised on this lock, so two writers
// never both take the same sequence number.
func (l *Log) lockHead(tx *gorm.DB) (Head, error) {
	suffix := " FOR UPDATE"
	if tx.Dialector.Name() == "sqlite" {
		// SQLite locks the whole database for a writer; a write (even a
		// no-op) takes that lock now, so the read below is current.
		suffix = ""
		if err := tx.Exec(fmt.Sprintf(`UPDATE "%s" SET seq = seq WHERE id = 1`, l.headTable())).Error; err != nil {
			return Head{}, err
		}
	}
	// Elsewhere FOR UPDATE reads the latest committed row (also under
	// MySQL's REPEATABLE READ) and holds it until the transaction ends.
	var rows []headRow
	if err := tx.Raw(fmt.Sprintf("SELECT id, seq, hash, time FROM %s WHERE id = 1%s",
		quoteIdent(tx, l.headTable()), suffix)).Scan(&rows).Error; err != nil {
		return Head{}, err
	}
	if len(rows) != 1 {
		return Head{}, errors.New("audit: the chain head row is missing (run Migrate, then warden audit verify)")
	}
	return rows[0].head(), nil
}

func quoteIdent(db *gorm.DB, name string) string {
	if db.Dialector.Name() == "mysql" {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

// Head returns the chain head as recorded in the head table. It is what
// the metric and the log line export: a sequence number that goes down, or
// a hash that changes without the sequence going up, means the log was
// rewritten.
func (l *Log) Head(ctx context.Context) (Head, error) {
	var rows []headRow
	if err := l.db.WithContext(ctx).Raw(fmt.Sprintf("SELECT id, seq, hash, time FROM %s WHERE id = 1",
		quoteIdent(l.db, l.headTable()))).Scan(&rows).Error; err != nil {
		return Head{}, fmt.Errorf("audit: read the chain head: %w", err)
	}
	if len(rows) != 1 {
		return Head{}, errNoHead
	}
	return rows[0].head(), nil
}

// ChainHead is Head as a sequence number and hash, the signature of
// metrics.ChainHead.
func (l *Log) ChainHead(ctx context.Context) (uint64, string, error) {
	h, err := l.Head(ctx)
	return h.Seq, h.Hash, err
}
