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

	mu          sync.Mutex
	pongPending bool
	pongDue     time.Time // when an unanswered PING means a dead connection
	broken      error     // the error that broke the connection, if any
}

func (s *subscription) Receive(ctx context.Context) (string, error) {
	s.mu.Lock()
	broken := s.broken
	s.mu.Unlock()
	if broken != nil {
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
		msg, err := s.ps.ReceiveTimeout(ctx, timeoutOf(ctx))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			// The read deadline mirrors ctx's and may fire a hair earlier:
			// report it as the expiry it stands for, not as a broken connection.
			return "", fmt.Errorf("rediswatcher: receive: %w: %w", context.DeadlineExceeded, err)
		}
		if err != nil {
			// go-redis will quietly re-subscribe on the next call; refuse, so
			// that the watcher notices the gap and reloads.
			s.mu.Lock()
			s.broken = err
			s.mu.Unlock()
			return "", fmt.Errorf("rediswatcher: receive: %w", err)
		}
		s.mu.Lock()
		s.pongPending = false // any traffic proves the connection alive
		s.mu.Unlock()
		if m, ok := msg.(*redis.Message); ok {
			return m.Payload, nil
		}
	}
}

// Ping sends PING on the subscription's connection. Its PONG arrives through
// Receive, so Ping cannot wait for it: instead, a PING still unanswered when
// the next Ping comes after ctx's deadline (the watcher's timeout) means the
// connection is dead. Judging by that timeout rather than by the health
// interval keeps a busy machine, slow to read the PONG, from being mistaken
// for a dead connection.
func (s *subscription) Ping(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return fmt.Errorf("rediswatcher: connection broken: %w", s.broken)
	}
	if s.pongPending {
		if time.Now().After(s.pongDue) {
			return errors.New("rediswatcher: no reply to PING within the timeout")
		}
		return nil // still waiting for the answer to the previous PING
	}
	if err := s.ps.Ping(ctx); err != nil {
		return fmt.Errorf("rediswatcher: PING: %w", err)
	}
	s.pongPending = true
	s.pongDue = time.Now().Add(timeoutOf(ctx))
	return nil
}

func (s *subscription) Close() error {
	err := s.ps.Close()
	if err != nil && strings.Contains(err.Error(), "closed") {
		return nil // already closed by a cancelled Receive
	}
	return err
}
