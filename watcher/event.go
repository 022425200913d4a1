package watcher

import (
	"fmt"
	"time"
)

// EventKind tells what an [Event] reports.
type EventKind uint8

// The events a watcher reports to its observer.
const (
	// EventPublished: a message was handed to the transport (Op set).
	EventPublished EventKind = iota + 1
	// EventPublishFailed: publishing failed (Op and Err set).
	EventPublishFailed
	// EventReceived: a message from another instance reached the callback
	// (Op, Instance and Lag set).
	EventReceived
	// EventIgnored: the watcher's own message came back and was dropped.
	EventIgnored
	// EventMalformed: a payload could not be decoded; a reload was requested
	// instead (Err set).
	EventMalformed
	// EventDisconnected: the subscription was lost (Err set).
	EventDisconnected
	// EventReconnectFailed: a reconnection attempt failed (Attempt, Err set).
	EventReconnectFailed
	// EventReconnected: the subscription is back (Attempt set); a reload
	// callback follows.
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
	// Op of the message concerned, if any.
	Op Op
	// Instance that sent the message concerned (EventReceived, EventIgnored).
	Instance string
	// Lag is the time from the sender's publish to this receipt (EventReceived).
	// It is computed across machines, so it is only as good as clock
	// synchronisation; negative values (skew) are reported as zero.
	Lag time.Duration
	// Attempt counts reconnection attempts since the subscription was lost.
	Attempt int
	// Delay is the backoff waited before that attempt (EventReconnectFailed,
	// EventReconnected).
	Delay time.Duration
	Err   error
}

// Stats are running counters of a watcher, for metrics scraped on demand.
type Stats struct {
	Published       uint64 // messages handed to the transport
	PublishFailures uint64 // publishes that failed
	Received        uint64 // messages from other instances delivered to the callback
	Ignored         uint64 // own messages dropped
	Malformed       uint64 // undecodable payloads (answered with a reload)
	Reconnects      uint64 // subscriptions re-established after a loss
}
