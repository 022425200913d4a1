package watcher

import (
	"context"
	"fmt"

	"github.com/casbin/casbin/v2/model"
)

// AnnounceRevision tells the other instances that the store changed, up to revision
// of its change log (0 when unknown). It sends a [Hint], never the change:
// receivers read what changed from the store. Errors wrap [ErrUnavailable]
// when the transport could not be reached and [ErrClosed] after Close.
//
// A lost announcement delays the others until their next poll of the log;
// it cannot make them disagree with the store. The publish is bounded by
// WithTimeout whatever ctx's deadline: an enforcer hints after its commit
// with a context that has none, and a frozen connection must not keep its
// committed change from being answered.
func (w *Watcher) AnnounceRevision(ctx context.Context, revision uint64) error {
	if w.ctx.Err() != nil {
		return ErrClosed
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.timeout)
	defer cancel()
	err := w.transport.Publish(ctx, w.cfg.channel, EncodeHint(w.cfg.instance, revision))
	if err != nil {
		w.publishFailures.Add(1)
		err = fmt.Errorf("watcher: announce revision %d on channel %q: %w: %w", revision, w.cfg.channel, ErrUnavailable, err)
		w.observe(Event{Kind: EventPublishFailed, Revision: revision, Err: err})
		return err
	}
	w.published.Add(1)
	w.observe(Event{Kind: EventPublished, Revision: revision})
	return nil
}

// announce is AnnounceRevision of an unknown revision, for the Casbin
// methods, which take no context.
func (w *Watcher) announce() error { return w.AnnounceRevision(context.Background(), 0) }

// The Casbin watcher methods all announce the same thing, a hint of an
// unknown revision: the rules they are given are never sent, because a
// receiver must not take rules from a message anyone on the channel could
// have written. Receivers read the store instead.

// Update announces that the store changed.
func (w *Watcher) Update() error { return w.announce() }

// UpdateForAddPolicy announces a change; the rule is not sent.
func (w *Watcher) UpdateForAddPolicy(_, _ string, _ ...string) error { return w.announce() }

// UpdateForRemovePolicy announces a change; the rule is not sent.
func (w *Watcher) UpdateForRemovePolicy(_, _ string, _ ...string) error { return w.announce() }

// UpdateForRemoveFilteredPolicy announces a change; the filter is not sent.
func (w *Watcher) UpdateForRemoveFilteredPolicy(_, _ string, _ int, _ ...string) error {
	return w.announce()
}

// UpdateForSavePolicy announces a change; the policy is not sent.
func (w *Watcher) UpdateForSavePolicy(model.Model) error { return w.announce() }

// UpdateForAddPolicies announces a change; the rules are not sent.
func (w *Watcher) UpdateForAddPolicies(_, _ string, _ ...[]string) error { return w.announce() }

// UpdateForRemovePolicies announces a change; the rules are not sent.
func (w *Watcher) UpdateForRemovePolicies(_, _ string, _ ...[]string) error { return w.announce() }

// UpdateForUpdatePolicy announces a change; the rules are not sent.
func (w *Watcher) UpdateForUpdatePolicy(_, _ string, _, _ []string) error { return w.announce() }

// UpdateForUpdatePolicies announces a change; the rules are not sent.
func (w *Watcher) UpdateForUpdatePolicies(_, _ string, _, _ [][]string) error { return w.announce() }
