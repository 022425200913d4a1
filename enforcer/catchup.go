package enforcer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// SyncStatus tells how far this enforcer's memory follows its store.
type SyncStatus struct {
	// Logged is true when the adapter has a change log (ChangeLog); the
	// revisions below are then meaningful.
	Logged bool
	// Applied is the revision whose policy is in memory.
	Applied uint64
	// Head is the store's latest revision as of the last successful read.
	Head uint64
	// LastSync is when the store was last read successfully (a log read or
	// a full reload).
	LastSync time.Time
	// Err is the error of the last read of the store, or nil if it
	// succeeded.
	Err error
}

// SyncStatus returns how far memory follows the store.
func (e *Enforcer) SyncStatus() SyncStatus {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	s := e.status
	s.Logged = e.log != nil
	return s
}

// logPage is how many revisions one read of the log asks for, and
// maxBacklog how many entries CatchUp gathers before it reloads instead:
// past that, reading the whole policy is cheaper than replaying.
const (
	logPage    = 1000
	maxBacklog = 100_000
)

// errBacklog makes CatchUp reload when the backlog is too long to replay.
var errBacklog = errors.New("enforcer: change log backlog too long to replay")

// CatchUp brings memory up to the store's latest revision: it reads the log
// after the applied revision and applies it in revision order, all at once
// under a short write lock. When the log cannot continue from there (pruned,
// or the store was reset) it reloads the whole policy, consistent with a
// revision. For an adapter without a change log it is a full Reload.
//
// Concurrent calls are coalesced: one reader at a time reads and applies,
// and a call that finds that a read begun after it has succeeded meanwhile
// returns at once. CatchUp never waits for a local write: writes hold no lock
// while they talk to the store.
func (e *Enforcer) CatchUp(ctx context.Context) error {
	if e.log == nil {
		return e.Reload(ctx)
	}
	ticket := e.syncReq.Add(1)
	if err := e.acquireSync(ctx); err != nil {
		return err
	}
	defer e.releaseSync()
	if e.syncDone >= ticket {
		return nil
	}
	start := e.syncReq.Load()
	err := e.catchUpLocked(ctx)
	if err == nil {
		e.syncDone = start
	}
	return err
}

func (e *Enforcer) acquireSync(ctx context.Context) error {
	select {
	case e.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Enforcer) releaseSync() { <-e.sem }

// catchUpLocked is CatchUp's work; the caller holds sem.
func (e *Enforcer) catchUpLocked(ctx context.Context) error {
	ents, last, err := e.readLog(ctx, e.applied, maxBacklog)
	switch {
	case errors.Is(err, ErrLogGap), errors.Is(err, errBacklog):
		e.opts.logger.Info("warden: reloading the whole policy", "applied", e.applied, "why", err.Error())
		return e.reloadLogged(ctx)
	case err != nil:
		e.failed(err)
		return fmt.Errorf("enforcer: read change log: %w", err)
	}
	// Read after the log: an epoch unchanged since the policy was loaded
	// proves that the entries belong to the log it was loaded from.
	if epoch, err := e.readEpoch(ctx); err != nil {
		e.failed(err)
		return err
	} else if epoch != e.epoch {
		e.opts.logger.Info("warden: the store was reset; reloading the whole policy", "applied", e.applied)
		return e.reloadLogged(ctx)
	}
	if len(ents) > 0 {
		e.mu.lock()
		bad := e.applyEntries(e.eng, ents)
		e.mu.unlock()
		e.compactLocked()
		if bad != nil {
			// A log row the model cannot hold: the rule table, not the
			// log, is the truth; reload from it.
			e.opts.logger.Error("warden: change log entry does not fit the model; reloading", "err", bad)
			return e.reloadLogged(ctx)
		}
	}
	e.applied = last
	e.synced(last)
	return nil
}

// readLog reads every entry after after, page by page, and returns them
// with the last revision read (after when there is none). It stops with
// errBacklog past max entries.
func (e *Enforcer) readLog(ctx context.Context, after uint64, max int) ([]LogEntry, uint64, error) {
	var out []LogEntry
	for {
		page, err := e.log.Since(ctx, after, logPage)
		if err != nil {
			return nil, 0, err
		}
		if len(page) == 0 {
			return out, after, nil
		}
		for i, le := range page {
			// The contract says whole revisions, in order, without gaps;
			// a store that breaks it cannot be followed entry by entry.
			prev := after
			if i > 0 {
				prev = page[i-1].Revision
			}
			if le.Revision != prev && le.Revision != prev+1 {
				return nil, 0, fmt.Errorf("%w: revision %d follows %d", ErrLogGap, le.Revision, prev)
			}
		}
		out = append(out, page...)
		top := page[len(page)-1].Revision
		if top < after+logPage {
			return out, top, nil
		}
		after = top
		if len(out) > max {
			return nil, 0, errBacklog
		}
	}
}

// applyEntries applies log entries to eng, in order. It returns an error
// for the first entry that does not fit the model, after applying all the
// others.
func (e *Enforcer) applyEntries(eng engine, ents []LogEntry) error {
	var bad error
	for _, le := range ents {
		err := eng.validate(le.Rule)
		if err == nil && le.Op == OpAdd {
			// A value the matcher cannot read fails a reload too; the
			// log must not let it in either.
			err = e.checkValues(le.Rule)
		}
		if err != nil || (le.Op != OpAdd && le.Op != OpRemove) {
			if bad == nil {
				bad = fmt.Errorf("revision %d: %s %s: %w", le.Revision, le.Op, le.Rule, errors.Join(err, ErrInvalidRule))
			}
			continue
		}
		eng.apply(le.Rule, le.Op == OpAdd)
	}
	return bad
}

// reloadLogged loads the whole policy consistently with a revision: it
// reads the head, loads every rule, then applies the log after that head.
// The rules loaded already hold some of those changes; applying them again
// is harmless, since each rule ends as the last change to it says. The
// caller holds sem.
func (e *Enforcer) reloadLogged(ctx context.Context) error {
	epoch, err := e.readEpoch(ctx)
	if err != nil {
		e.failed(err)
		return err
	}
	head, err := e.log.Head(ctx)
	if err != nil {
		e.failed(err)
		return fmt.Errorf("enforcer: reload: read head: %w", err)
	}
	eng, err := e.load(ctx)
	if err != nil {
		e.failed(err)
		return err
	}
	ents, last, err := e.readLog(ctx, head, 10*maxBacklog)
	if err != nil {
		e.failed(err)
		return fmt.Errorf("enforcer: reload: read change log after %d: %w", head, err)
	}
	if again, err := e.readEpoch(ctx); err != nil || again != epoch {
		// Reset while loading: what was read may mix both lifetimes.
		err = errors.Join(err, fmt.Errorf("%w: the store was reset during the reload", ErrLogGap))
		e.failed(err)
		return fmt.Errorf("enforcer: reload: %w", err)
	}
	if bad := e.applyEntries(eng, ents); bad != nil {
		e.opts.logger.Error("warden: change log entry does not fit the model; skipped (the rule table holds the truth)", "err", bad)
	}
	e.swap(eng)
	e.epoch = epoch
	e.applied = last
	e.synced(last)
	return nil
}

// follow brings memory up to a revision this enforcer has just committed.
// It reads the log; if the store cannot be read right now, it applies the
// committed change itself, exactly as its log rows say, leaving the applied
// revision where it was, so that the next read replays from there (this
// change included) all at once. Either way the writer's own decisions
// reflect its acknowledged change.
//
// A write that changed nothing (rev 0) follows too: its rules are in the
// wanted state in the store, and memory may lag (a revoke by another
// instance not read yet); it is brought to the head, or, if the store
// cannot be read, those rules are set as the store has them.
func (e *Enforcer) follow(ctx context.Context, op Op, rules []Rule, rev uint64) {
	ctx = context.WithoutCancel(ctx)
	_ = e.acquireSync(ctx) // cannot fail without a cancel
	defer e.releaseSync()
	defer e.compactLocked() // after the write lock below is let go
	if rev > 0 && e.applied >= rev {
		return
	}
	if err := e.catchUpLocked(ctx); err == nil && e.applied >= rev {
		return
	}
	e.mu.lock()
	defer e.mu.unlock()
	for _, r := range rules {
		// The store reports what it wrote; a rule is checked here too,
		// since a reload trusts that every rule in memory passed the
		// checks (checkLoaded).
		if e.eng.validate(r) == nil && (op != OpAdd || e.checkValues(r) == nil) {
			e.eng.apply(r, op == OpAdd)
		}
	}
}

// readEpoch reads the log's epoch, "" for a ChangeLog without Epochs.
func (e *Enforcer) readEpoch(ctx context.Context) (string, error) {
	ep, ok := e.log.(Epochs)
	if !ok {
		return "", nil
	}
	epoch, err := ep.Epoch(ctx)
	if err != nil {
		return "", fmt.Errorf("enforcer: read change log epoch: %w", err)
	}
	return epoch, nil
}

func (e *Enforcer) synced(head uint64) {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	e.status.Applied, e.status.Head, e.status.LastSync, e.status.Err = head, head, time.Now(), nil
}

func (e *Enforcer) failed(err error) {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	e.status.Err = err
}

// changeLogged is AddRules and RemoveRules with a change log: validate,
// write through the store (no lock held), follow the log to the written
// revision, then hint the watcher.
func (e *Enforcer) changeLogged(ctx context.Context, rules []Rule, add bool) (int, error) {
	cs := ChangeSet{Op: OpRemove, Rules: make([]Rule, 0, len(rules))}
	if add {
		cs.Op = OpAdd
	}
	// validate reads only the definitions, which every engine shares.
	rl := e.mu.rlock()
	eng := e.eng
	e.mu.runlock(rl)
	for _, r := range rules {
		if err := eng.validate(r); err != nil {
			return 0, err
		}
		if err := e.checkValues(r); add && err != nil {
			return 0, err
		}
		cs.Rules = append(cs.Rules, Rule{PType: r.PType, Values: slices.Clone(r.Values)})
	}
	if len(cs.Rules) == 0 {
		return 0, nil
	}
	// Against the policy as the store commits it, where a link another
	// instance committed (or removed) meanwhile could make the change
	// wrong; against the policy in force only where the store cannot
	// judge: memory may lag the store either way, and a link it still
	// holds that the store no longer does must not refuse a change the
	// store takes (nor name that link). A removal is judged too: it can
	// make a name a top role above a cycle.
	rl = e.mu.rlock()
	check := e.eng.commitCheck(cs.Rules)
	cc, checked := e.log.(CommitChecker)
	checked = checked && check != nil
	var err error
	if !checked {
		err = e.eng.checkChange(cs.Rules, add)
	}
	e.mu.runlock(rl)
	if err != nil {
		return 0, err
	}
	var w Written
	if checked {
		w, err = cc.WriteChangesChecked(ctx, cs, check)
	} else {
		w, err = e.log.WriteChanges(ctx, cs)
	}
	if err != nil {
		if errors.Is(err, ErrOutcomeUnknown) {
			// The change may be in force: read the log as soon as the
			// store answers, rather than at the next poll.
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), e.opts.reloadTimeout)
				defer cancel()
				_ = e.CatchUp(ctx)
			}()
		}
		return 0, err
	}
	if w.Revision == 0 {
		e.follow(ctx, cs.Op, cs.Rules, 0)
		return 0, nil
	}
	e.follow(ctx, cs.Op, w.Changed, w.Revision)
	if !w.Announced {
		e.hint(ctx, w.Revision)
	}
	return len(w.Changed), nil
}

// revisionAnnouncer is a watcher that can carry the revision in its hint.
type revisionAnnouncer interface {
	AnnounceRevision(ctx context.Context, revision uint64) error
}

// hint tells the other instances, through the watcher, that the store has
// a new revision. It carries no rules: they read the log. A failure is only
// logged, since they also poll the log.
func (e *Enforcer) hint(ctx context.Context, revision uint64) {
	w := e.announcer()
	if w == nil {
		return
	}
	var err error
	if ra, ok := w.(revisionAnnouncer); ok {
		err = ra.AnnounceRevision(context.WithoutCancel(ctx), revision)
	} else {
		err = w.Update()
	}
	if err != nil {
		e.opts.logger.Warn("warden: watcher could not announce a revision; other instances see it at their next poll of the log",
			"revision", revision, "err", err)
	}
}
