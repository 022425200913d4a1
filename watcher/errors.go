package watcher

import "errors"

var (
	// ErrUnavailable reports that the transport (database or Redis) could not be
	// reached, so a change could not be announced or a subscription not opened.
	ErrUnavailable = errors.New("watcher: transport unavailable")

	// ErrClosed reports a call on a watcher after Close.
	ErrClosed = errors.New("watcher: closed")

	// ErrMalformed reports a payload that is not a [Hint].
	ErrMalformed = errors.New("watcher: malformed message")

	// ErrPayloadTooLarge is returned by a [Transport] whose channel cannot carry
	// the payload (PostgreSQL NOTIFY is limited to 8000 bytes). A hint is far
	// smaller, so a watcher never meets it; foreign transports may.
	ErrPayloadTooLarge = errors.New("watcher: payload too large for transport")
)
