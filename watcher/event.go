package watcher

import (
	"fmt"
	"time"
)

// EventKind tells what an [Event] reports.
type EventKind uint8

// The events a watcher reports to its observer.
const (
	// EventPublished: a hint was handed to the transport (Revision set).
	EventPublished EventKind = iota + 1
	// EventPublishFailed: announcing failed (Revision and Err set).
	EventPublishFailed
	// EventReceived: a hint from another instance reached the callback
	// (Instance and Revision set, as the sender claims them).
	EventReceived
	// EventIgnored: the watcher's own hint came back and was dropped.
	EventIgnored
	// EventMalformed: a payload was not a hint; the callback was handed a
	// hint of an unknown revision instead, a read of the store (Err set).
	EventMalformed
	// EventDisconnected: the subscription was lost (Err set).
	EventDisconnected
	// EventReconnectFailed: a reconnection attempt failed (Attempt, Err set).
	EventReconnectFailed
	// EventReconnected: the subscription is back (Attempt set); a hint of
	// an unknown revision follows, so that what was missed is read.
	EventReconnected
	// EventCallbackPanicked: the update callback panicked; the watcher recovered
	// and goes on (Err set).
	EventCallbackPanicked
	// EventHealthChecked: a silent subscription passed its liveness check.
	EventHealthChecked
)

var eventKindNames = [...]string{
	EventPublished:        "published",
	EventPublishFailed:    "publish_failed",
	EventReceived:         "received",
	EventIgnored:          "ignored",
	EventMalformed:        "malformed",
	EventDisconnected:     "disconnected",
	EventReconnectFailed:  "reconnect_failed",
	EventReconnected:      "reconnected",
	EventCallbackPanicked: "callback_panicked",
	EventHealthChecked:    "health_checked",
}

// String returns a stable snake_case name, suitable as a metric label.
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one observation handed to the [WithObserver] function.
type Event struct {
	Kind    EventKind
	Channel string
	// Revision of the hint concerned (0: unknown). On a received hint it is
	// what the sender claims, not a fact about the store.
	Revision uint64
	// Instance that sent the hint concerned (EventReceived, EventIgnored),
	// as it claims.
	Instance string
	// Attempt counts reconnection attempts since the subscription was lost.
	Attempt int
	// Delay is the backoff waited before that attempt (EventReconnectFailed,
	// EventReconnected).
	Delay time.Duration
	Err   error
}

// Stats are running counters of a watcher, for metrics scraped on demand.
type Stats struct {
	Published       uint64 // hints handed to the transport
	PublishFailures uint64 // announcements that failed
	Received        uint64 // hints from other instances delivered to the callback
	Ignored         uint64 // own hints dropped
	Malformed       uint64 // payloads that were not hints (answered with a read of the store)
	Reconnects      uint64 // subscriptions re-established after a loss
}
