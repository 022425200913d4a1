package watcher

import "context"

// Transport carries payloads between instances. pgwatcher and rediswatcher
// provide one; a Watcher adds ids, encoding, reconnection and callbacks.
type Transport interface {
	// Subscribe opens a new subscription to channel and returns once it is
	// active: a payload published after Subscribe returns is delivered.
	Subscribe(ctx context.Context, channel string) (Subscription, error)
	// Publish sends payload to every subscriber of channel. It returns an
	// error wrapping ErrPayloadTooLarge when the transport cannot carry it.
	Publish(ctx context.Context, channel, payload string) error
	// Close releases what the transport owns. Subscriptions are closed first.
	Close() error
}

// Subscription is one live subscription, used by a single goroutine.
type Subscription interface {
	// Receive waits for the next payload. When ctx expires it returns an
	// error matching context.DeadlineExceeded (or a net.Error whose Timeout
	// is true) and the subscription stays usable; any other error means it is
	// broken, and the watcher replaces it.
	Receive(ctx context.Context) (string, error)
	// Ping checks that the connection is alive after a silent period. A
	// transport whose answer arrives asynchronously may report a failure on the
	// next Ping instead.
	Ping(ctx context.Context) error
	// Close releases the subscription's connection.
	Close() error
}
