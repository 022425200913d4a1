package watcher

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/casbin/casbin/v2/model"
)

// Publish stamps m with this instance's id and the current time and sends it
// to the other instances. A change too large for the transport is announced
// as a reload instead. Errors wrap [ErrUnavailable] when the transport could
// not be reached and [ErrClosed] after Close.
func (w *Watcher) Publish(ctx context.Context, m Message) error {
	if w.ctx.Err() != nil {
		return ErrClosed
	}
	m.Instance = w.cfg.instance
	m.SentAt = time.Now()
	payload, err := m.Encode()
	if err != nil {
		return err
	}
	err = w.transport.Publish(ctx, w.cfg.channel, payload)
	if errors.Is(err, ErrPayloadTooLarge) {
		w.cfg.logger.Info("watcher: change too large for the channel, announcing a reload",
			"channel", w.cfg.channel, "op", m.Op, "bytes", len(payload))
		m = Message{Instance: w.cfg.instance, Op: OpReload, Reason: ReasonPayloadTooLarge, SentAt: time.Now()}
		payload, _ = m.Encode() // a reload message always encodes
		err = w.transport.Publish(ctx, w.cfg.channel, payload)
	}
	if err != nil {
		w.publishFailures.Add(1)
		err = fmt.Errorf("watcher: publish %s on channel %q: %w: %w", m.Op, w.cfg.channel, ErrUnavailable, err)
		w.observe(Event{Kind: EventPublishFailed, Op: m.Op, Err: err})
		return err
	}
	w.published.Add(1)
	w.observe(Event{Kind: EventPublished, Op: m.Op})
	return nil
}

// publish is Publish bounded by the configured timeout, for the Casbin
// methods, which take no context.
func (w *Watcher) publish(m Message) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.timeout)
	defer cancel()
	return w.Publish(ctx, m)
}

// Update asks the other instances to reload the whole policy.
func (w *Watcher) Update() error { return w.publish(Message{Op: OpReload}) }

// UpdateForAddPolicy announces one added rule.
func (w *Watcher) UpdateForAddPolicy(sec, ptype string, params ...string) error {
	return w.publish(Message{Op: OpAdd, Sec: sec, PType: ptype, Rules: [][]string{params}})
}

// UpdateForRemovePolicy announces one removed rule.
func (w *Watcher) UpdateForRemovePolicy(sec, ptype string, params ...string) error {
	return w.publish(Message{Op: OpRemove, Sec: sec, PType: ptype, Rules: [][]string{params}})
}

// UpdateForRemoveFilteredPolicy announces the removal of the rules matching a
// filter.
func (w *Watcher) UpdateForRemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	return w.publish(Message{Op: OpRemoveFiltered, Sec: sec, PType: ptype, FieldIndex: fieldIndex, FieldValues: fieldValues})
}

// UpdateForSavePolicy announces that the whole policy was saved; receivers
// reload it rather than receive it, since a policy can exceed any channel's
// message size.
func (w *Watcher) UpdateForSavePolicy(model.Model) error { return w.publish(Message{Op: OpSave}) }

// UpdateForAddPolicies announces added rules.
func (w *Watcher) UpdateForAddPolicies(sec, ptype string, rules ...[]string) error {
	return w.publish(Message{Op: OpAdd, Sec: sec, PType: ptype, Rules: rules})
}

// UpdateForRemovePolicies announces removed rules.
func (w *Watcher) UpdateForRemovePolicies(sec, ptype string, rules ...[]string) error {
	return w.publish(Message{Op: OpRemove, Sec: sec, PType: ptype, Rules: rules})
}

// UpdateForUpdatePolicy announces that oldRule was replaced by newRule.
func (w *Watcher) UpdateForUpdatePolicy(sec, ptype string, oldRule, newRule []string) error {
	return w.publish(Message{Op: OpUpdate, Sec: sec, PType: ptype, Rules: [][]string{oldRule}, NewRules: [][]string{newRule}})
}

// UpdateForUpdatePolicies announces that oldRules[i] were replaced by newRules[i].
func (w *Watcher) UpdateForUpdatePolicies(sec, ptype string, oldRules, newRules [][]string) error {
	return w.publish(Message{Op: OpUpdate, Sec: sec, PType: ptype, Rules: oldRules, NewRules: newRules})
}
