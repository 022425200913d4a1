package watcher

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// run owns the subscription: it receives until the subscription breaks,
// re-subscribes with backoff, and requests a reload for whatever was missed
// in between. It exits when the watcher is closed.
func (w *Watcher) run(sub Subscription) {
	defer close(w.done)
	// streak counts reconnection attempts across subscriptions that die
	// young, so that a server accepting and then dropping connections meets a
	// growing delay (and fewer full reloads), not a storm at the first step.
	streak := 0
	for {
		since := time.Now()
		err := w.receive(sub)
		if cerr := sub.Close(); cerr != nil && w.ctx.Err() == nil {
			w.cfg.logger.Debug("watcher: close broken subscription", "channel", w.cfg.channel, "err", cerr)
		}
		if w.ctx.Err() != nil {
			return
		}
		w.up.Store(false) // before the event, so that an observer reads it already down
		w.cfg.logger.Warn("watcher: subscription lost; reconnecting", "channel", w.cfg.channel, "err", err)
		w.observe(Event{Kind: EventDisconnected, Err: err})
		if time.Since(since) >= w.cfg.backoff.Max {
			streak = 0
		}
		var attempt int
		sub, attempt = w.resubscribe(streak)
		if sub == nil {
			return
		}
		streak += attempt
		w.reconnects.Add(1)
		w.up.Store(true)
		w.cfg.logger.Info("watcher: subscription re-established; asking for a read of the store",
			"channel", w.cfg.channel, "attempts", attempt)
		w.observe(Event{Kind: EventReconnected, Attempt: attempt, Delay: w.lastDelay})
		// Hints sent while we were away are lost: ask for a read of the log.
		w.deliver(Hint{})
	}
}

// receive returns the error that broke sub, or the context error on Close.
func (w *Watcher) receive(sub Subscription) error {
	for {
		rctx, cancel := context.WithTimeout(w.ctx, w.cfg.healthInterval)
		payload, err := sub.Receive(rctx)
		cancel()
		// Only a timeout means "quiet"; any other error means broken, even
		// if the deadline passed meanwhile: a client library may already
		// have re-subscribed behind our back, hiding the gap.
		silent := isTimeout(err)
		switch {
		case w.ctx.Err() != nil:
			return w.ctx.Err()
		case err != nil && silent:
			pctx, cancel := context.WithTimeout(w.ctx, w.cfg.timeout)
			err = sub.Ping(pctx)
			cancel()
			if err != nil {
				return fmt.Errorf("liveness check: %w", err)
			}
			w.observe(Event{Kind: EventHealthChecked})
		case err != nil:
			return err
		default:
			w.handle(payload)
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// resubscribe retries until a subscription succeeds or the watcher closes
// (nil), starting the backoff schedule at step streak. It returns the number
// of attempts made.
func (w *Watcher) resubscribe(streak int) (Subscription, int) {
	for attempt := 1; ; attempt++ {
		w.lastDelay = w.cfg.backoff.Delay(streak + attempt - 1)
		t := time.NewTimer(w.lastDelay)
		select {
		case <-w.ctx.Done():
			t.Stop()
			return nil, attempt
		case <-t.C:
		}
		sctx, cancel := context.WithTimeout(w.ctx, w.cfg.timeout)
		sub, err := w.transport.Subscribe(sctx, w.cfg.channel)
		cancel()
		if err == nil {
			if w.ctx.Err() != nil { // closed while subscribing
				_ = sub.Close()
				return nil, attempt
			}
			return sub, attempt
		}
		if w.ctx.Err() != nil {
			return nil, attempt
		}
		w.cfg.logger.Warn("watcher: reconnect failed", "channel", w.cfg.channel, "attempt", attempt, "err", err)
		w.observe(Event{Kind: EventReconnectFailed, Attempt: attempt, Delay: w.lastDelay, Err: err})
	}
}

// handle filters and delivers one received payload. The callback never
// sees the payload itself, only the hint re-encoded from it: whatever a
// sender put in, nothing but an instance id and a revision reaches it.
func (w *Watcher) handle(payload string) {
	h, err := DecodeHint(payload)
	if err != nil {
		// Something announced a change we cannot read (a newer version, a
		// tool, garbage): a read of the store settles it either way.
		w.malformed.Add(1)
		w.cfg.logger.Warn("watcher: payload is not a hint; asking for a read of the store",
			"channel", w.cfg.channel, "bytes", len(payload), "err", err)
		w.observe(Event{Kind: EventMalformed, Err: err})
		w.deliver(Hint{})
		return
	}
	if h.Instance == w.cfg.instance {
		w.ignored.Add(1)
		w.observe(Event{Kind: EventIgnored, Instance: h.Instance, Revision: h.Revision})
		return
	}
	w.received.Add(1)
	w.observe(Event{Kind: EventReceived, Instance: h.Instance, Revision: h.Revision})
	w.deliver(h)
}

// deliver calls the update callback with h's payload, surviving a panic in
// it: a bug in one callback must not stop this instance from hearing about
// later changes.
//
// The callback runs first, then each subscriber (Subscribe); a panic in
// one does not keep the others from the hint.
func (w *Watcher) deliver(h Hint) {
	w.mu.RLock()
	cb, subs := w.callback, w.subs // subs is never modified in place
	w.mu.RUnlock()
	payload := h.String()
	if cb != nil {
		w.call(cb, payload)
	}
	for _, s := range subs {
		w.call(s.f, payload)
	}
}

// call calls f with payload, recovering a panic.
func (w *Watcher) call(f func(string), payload string) {
	defer func() {
		if r := recover(); r != nil {
			err := fmt.Errorf("watcher: update callback panicked: %v", r)
			w.cfg.logger.Error(err.Error(), "channel", w.cfg.channel)
			w.observe(Event{Kind: EventCallbackPanicked, Err: err})
		}
	}()
	f(payload)
}
