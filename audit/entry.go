package audit

import (
	"encoding/json"
	"time"
)

// Actions recorded by Warden's server and command line.
const (
	ActionGrant  = "grant"
	ActionRevoke = "revoke"
	ActionSeed   = "seed"
)

// Entry is one audited change. Rules, Before and After are JSON arrays of
// rules, each rule an array whose first element is the ptype:
// [["p","alice","/posts","GET","allow"]].
type Entry struct {
	ID uint64 `gorm:"primaryKey;autoIncrement" json:"id"`
	// Time is when the change was made, in UTC.
	Time time.Time `gorm:"not null;index" json:"time"`
	// Actor is who made it: the caller's identity from the token, or
	// "os:USER" on the command line. Record cuts this and the other sized
	// columns to their size (ActorSize...), ending with TruncationMark;
	// the slog line keeps the full values.
	Actor string `gorm:"size:500;not null;index" json:"actor"`
	// Action is ActionGrant, ActionRevoke or ActionSeed.
	Action string `gorm:"size:32;not null" json:"action"`
	// Scope names the policy changed ("policy" or "admin").
	Scope string `gorm:"size:32;not null" json:"scope"`
	// Rules are the rules asked for.
	Rules string `gorm:"type:text;not null" json:"rules"`
	// Before are those of Rules present before the change.
	Before string `gorm:"type:text;not null" json:"before"`
	// After are those of Rules present after the change.
	After string `gorm:"type:text;not null" json:"after"`
	// Changed counts the rules actually added or removed.
	Changed int `gorm:"not null" json:"changed"`
	// Source is where the change came from: "api" or "cli".
	Source string `gorm:"size:16;not null" json:"source"`
	// RemoteAddr is the client's address for API changes.
	RemoteAddr string `gorm:"size:128" json:"remote_addr,omitempty"`
	// RequestID ties the entry to the request's log lines.
	RequestID string `gorm:"size:128" json:"request_id,omitempty"`
	// Error is set when the change failed part way; it is the server's
	// own text, never shown to clients.
	Error string `gorm:"type:text" json:"error,omitempty"`
	// Note qualifies a change that succeeded, such as NoteNotAnnounced; it
	// does not mark the change as failed.
	Note string `gorm:"type:text" json:"note,omitempty"`

	// Seq is the entry's place in the hash chain: 1, 2, 3 … without gaps,
	// assigned under a lock inside the writing transaction. It is 0 for
	// rows written before the table had a chain (see Migrate).
	Seq uint64 `gorm:"uniqueIndex" json:"seq,omitempty"`
	// PrevHash is the Hash of entry Seq-1 (GenesisHash for Seq 1).
	PrevHash string `gorm:"size:64" json:"prev_hash,omitempty"`
	// Hash is the SHA-256 of the entry's canonical encoding, PrevHash
	// included (see Hash), in lowercase hex.
	Hash string `gorm:"size:64" json:"hash,omitempty"`
}

// NoteNotAnnounced is the Note of a change that was stored and applied but
// could not be announced to the other instances (their watcher was down):
// they see it at their next full reload.
const NoteNotAnnounced = "not announced to other instances"

// TableName is the default table of Entry for GORM.
func (Entry) TableName() string { return DefaultTable }

// DefaultTable is the audit table's name when no prefix is configured.
const DefaultTable = "audit_log"

// EncodeRules renders rules (ptype first in each) as the JSON stored in
// Entry.Rules, Before and After. A nil list is stored as [].
func EncodeRules(rules [][]string) string {
	if rules == nil {
		rules = [][]string{}
	}
	b, _ := json.Marshal(rules) // [][]string always encodes
	return string(b)
}

// DecodeRules parses a column written by EncodeRules.
func DecodeRules(s string) ([][]string, error) {
	var out [][]string
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}
