package enforcer

import (
	"context"
	"errors"

	"github.com/casbin/casbin/v2/model"
)

// ChangeLog is the capability of an adapter whose store keeps a change log
// next to its rules: every change is written in one transaction with a log
// row per rule it changed, under a revision that increases by one per
// committed change, in commit order. An enforcer whose adapter implements it
// never trusts its own memory over the store: AddRules and RemoveRules write
// through WriteChanges, then bring memory up to the written revision by
// reading the log, and memory only ever changes from the log or a full
// reload (see CatchUp).
//
// The adapters/rulelog package implements it on PostgreSQL, MySQL/MariaDB
// and SQLite.
type ChangeLog interface {
	// WriteChanges applies c in one transaction and reports the revision it
	// committed (0 when the store changed nothing) and the rules the store
	// actually changed. When the answer to the commit is lost, it finds out
	// from the store whether the change committed before it returns: an
	// error then means the change is not in the store, unless it wraps
	// ErrOutcomeUnknown.
	WriteChanges(ctx context.Context, c ChangeSet) (Written, error)
	// Since returns the log entries of the revisions after after, at most
	// limit revisions, in revision order and each revision whole. An error
	// wrapping ErrLogGap says the log no longer continues from after (it
	// was pruned, or the store is behind it): the reader must reload.
	Since(ctx context.Context, after uint64, limit int) ([]LogEntry, error)
	// Head returns the store's latest committed revision.
	Head(ctx context.Context) (uint64, error)
}

// CommitChecker is an optional capability of a ChangeLog that can judge a
// change on the policy as it will commit, not as one process's memory
// holds it. Another instance may have committed, a moment before, a rule
// this one's memory has not caught up with (or removed one it still
// holds): together the two changes can make a policy that no check of one
// memory saw whole (two links that close a cycle under subjectPriority, on
// which Casbin's loader loops for ever). Where a change needs such a check,
// the enforcer writes it through WriteChangesChecked, and the check
// decides alone; a ChangeLog without the capability gets a check against
// the enforcer's memory before the write.
type CommitChecker interface {
	// WriteChangesChecked is WriteChanges, with check run inside the
	// change's transaction after its rows are written, while no other
	// writer of the store can commit. check's load reads the store's
	// rules into a model as the transaction sees them, the change
	// included. An error of check rolls the change back and is returned,
	// wrapped.
	WriteChangesChecked(ctx context.Context, c ChangeSet, check CommitCheck) (Written, error)
}

// CommitCheck judges a change on the policy it would commit, which load
// reads into m (a model of the definitions, its policy empty): the rules
// of ptypes, or every rule when none is given. A check that needs only
// the links asks for them alone, so that the write (which holds the
// store's write lock meanwhile) does not read the whole policy.
type CommitCheck func(ctx context.Context, load func(ctx context.Context, m model.Model, ptypes ...string) error) error

// Epochs is an optional capability of a ChangeLog whose store can be
// reset: its tables created again, the revisions restarting at 1. Epoch
// names the log's current lifetime; a reset changes it, and a name never
// comes back. An enforcer reads it after each read of the log and reloads
// in full when it differs from the one its policy was loaded under, so that
// a revision of the old log is never taken for one of the new.
type Epochs interface {
	Epoch(ctx context.Context) (string, error)
}

// Op is what a change does to its rules.
type Op string

// The two operations of a change.
const (
	OpAdd    Op = "add"
	OpRemove Op = "remove"
)

// ChangeSet is one change asked of a ChangeLog: add or remove Rules.
type ChangeSet struct {
	Op    Op
	Rules []Rule
}

// Written is what a ChangeLog reports of a committed change.
type Written struct {
	// Revision is the revision the change committed under; 0 when it
	// changed nothing (every rule was already in the wanted state).
	Revision uint64
	// Changed are the rules the store added or removed, in the order
	// asked.
	Changed []Rule
	// Announced is true when the store itself announced the revision to
	// the other instances as part of the transaction (PostgreSQL NOTIFY):
	// the enforcer then does not call its watcher.
	Announced bool
}

// LogEntry is one row of a change log: a rule added or removed at a
// revision.
type LogEntry struct {
	Revision uint64
	Op       Op
	Rule     Rule
}

var (
	// ErrLogGap is wrapped by ChangeLog.Since when the log cannot continue
	// from the revision asked: a full reload is needed.
	ErrLogGap = errors.New("enforcer: change log does not continue from the applied revision")
	// ErrOutcomeUnknown is wrapped by a write whose commit may or may not
	// have happened and that the store could not be asked about yet. The
	// change may be in force; the next write or CatchUp finds out.
	ErrOutcomeUnknown = errors.New("enforcer: outcome of the change is unknown")
	// ErrFromLog is returned by ApplyAdded and ApplyRemoved on an enforcer
	// whose adapter has a change log: memory changes only from the log
	// (CatchUp), never from a message.
	ErrFromLog = errors.New("enforcer: the policy follows the store's change log; use CatchUp")
)
