package rediswatcher

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden/watcher"
)

// New connects to Redis at addr, either "host:port" or a redis:// or rediss://
// URL (which may carry a password, a database and client_name). Close closes
// the client it creates.
func New(ctx context.Context, addr string, opts ...watcher.Option) (*watcher.Watcher, error) {
	var o *redis.Options
	if strings.Contains(addr, "://") {
		var err error
		if o, err = redis.ParseURL(addr); err != nil {
			return nil, fmt.Errorf("rediswatcher: parse URL: %w", err)
		}
	} else {
		o = &redis.Options{Addr: addr}
	}
	client := redis.NewClient(o)
	w, err := watcher.New(ctx, &transport{client: client, ownClient: true}, opts...)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	return w, nil
}

// NewFromClient uses the application's client (single node, sentinel or
// cluster), which Close leaves open.
func NewFromClient(ctx context.Context, client redis.UniversalClient, opts ...watcher.Option) (*watcher.Watcher, error) {
	if client == nil {
		return nil, errors.New("rediswatcher: NewFromClient: client is nil")
	}
	return watcher.New(ctx, &transport{client: client}, opts...)
}

type transport struct {
	client    redis.UniversalClient
	ownClient bool
}

func (t *transport) Subscribe(ctx context.Context, channel string) (watcher.Subscription, error) {
	ps := t.client.Subscribe(ctx, channel)
	// The first reply confirms the subscription; only after it is a message
	// published by another instance guaranteed to reach us.
	msg, err := ps.ReceiveTimeout(ctx, timeoutOf(ctx))
	if err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("rediswatcher: subscribe: %w", err)
	}
	if _, ok := msg.(*redis.Subscription); !ok {
		_ = ps.Close()
		return nil, fmt.Errorf("rediswatcher: subscribe: unexpected first reply %T", msg)
	}
	return &subscription{ps: ps}, nil
}

func (t *transport) Publish(ctx context.Context, channel, payload string) error {
	if err := t.client.Publish(ctx, channel, payload).Err(); err != nil {
		return fmt.Errorf("rediswatcher: PUBLISH: %w", err)
	}
	return nil
}

func (t *transport) Close() error {
	if t.ownClient {
		return t.client.Close()
	}
	return nil
}

// timeoutOf turns ctx's deadline into the read timeout go-redis wants (0 means
// none); go-redis applies deadlines but does not watch cancellation.
func timeoutOf(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return max(time.Until(d), time.Millisecond)
	}
	return 0
}

type subscription struct {
	ps *redis.PubSub

	// pending holds messages read while Ping waited for its PONG, for the
	// next Receive. Only the watcher's goroutine uses a subscription, so
	// Ping and Receive never run at once.
	pending []string
	mu      sync.Mutex // guards broken against the AfterFunc of Receive
	broken  error      // the error that broke the connection, if any
}

func (s *subscription) brokenErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.broken
}

func (s *subscription) breakWith(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.broken = err
}

func (s *subscription) Receive(ctx context.Context) (string, error) {
	if len(s.pending) > 0 {
		p := s.pending[0]
		s.pending = s.pending[1:]
		return p, nil
	}
	if broken := s.brokenErr(); broken != nil {
		return "", fmt.Errorf("rediswatcher: connection broken: %w", broken)
	}
	// Cancellation (Close of the watcher) must unblock a read that has no
	// deadline: closing the PubSub does, and it is safe while a read is running.
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			_ = s.ps.Close()
		}
	})
	defer stop()
	for {
		msg, err := s.read(ctx)
		if err != nil {
			return "", err
		}
		if m, ok := msg.(*redis.Message); ok {
			return m.Payload, nil
		}
	}
}

// read reads one reply. A timeout is reported as the expiry of ctx it
// stands for; any other error breaks the subscription for good: go-redis
// would quietly re-subscribe on the next call, hiding the gap, so the
// watcher must notice it and read the store.
func (s *subscription) read(ctx context.Context) (any, error) {
	msg, err := s.ps.ReceiveTimeout(ctx, timeoutOf(ctx))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil, fmt.Errorf("rediswatcher: receive: %w: %w", context.DeadlineExceeded, err)
	}
	if err != nil {
		s.breakWith(err)
		return nil, fmt.Errorf("rediswatcher: receive: %w", err)
	}
	return msg, nil
}

// Ping sends PING on the subscription's connection and waits, within ctx,
// for its PONG, keeping the messages that arrive meanwhile for Receive. A
// missing answer is a dead connection: the liveness check then proves what
// it reports, and a silently dropped connection is found within the health
// interval plus the timeout.
func (s *subscription) Ping(ctx context.Context) error {
	if broken := s.brokenErr(); broken != nil {
		return fmt.Errorf("rediswatcher: connection broken: %w", broken)
	}
	if err := s.ps.Ping(ctx); err != nil {
		return fmt.Errorf("rediswatcher: PING: %w", err)
	}
	for {
		msg, err := s.read(ctx)
		if err != nil {
			return fmt.Errorf("rediswatcher: no reply to PING: %w", err)
		}
		switch m := msg.(type) {
		case *redis.Pong:
			return nil
		case *redis.Message:
			s.pending = append(s.pending, m.Payload)
		}
	}
}

func (s *subscription) Close() error {
	err := s.ps.Close()
	if err != nil && strings.Contains(err.Error(), "closed") {
		return nil // already closed by a cancelled Receive
	}
	return err
}
