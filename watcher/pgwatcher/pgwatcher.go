package pgwatcher

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wardenhq/warden/internal/dburl"
	"github.com/wardenhq/warden/watcher"
)

// DefaultApplicationName is given to the watcher's connections when the DSN
// sets none, so that operators can find them in pg_stat_activity.
const DefaultApplicationName = "warden-watcher"

// maxPayload is PostgreSQL's NOTIFY limit: the payload must be shorter than
// 8000 bytes in the default configuration.
const maxPayload = 7999

// maxChannel is NAMEDATALEN-1: longer identifiers are silently truncated by
// PostgreSQL, which would make LISTEN and pg_notify disagree.
const maxChannel = 63

// New connects to the PostgreSQL server at dsn (a URL or key=value string),
// opens a small pool for publishing and a dedicated connection for LISTEN.
// ctx bounds the first connection only. Close releases everything. The
// password of a URL dsn is masked in every error New returns, whichever
// layer wrote it (pgx masks its own, but a server's error may quote a
// parameter of the address).
func New(ctx context.Context, dsn string, opts ...watcher.Option) (*watcher.Watcher, error) {
	w, err := newWatcher(ctx, dsn, opts)
	return w, dburl.Error(err, dsn)
}

func newWatcher(ctx context.Context, dsn string, opts []watcher.Option) (*watcher.Watcher, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgwatcher: parse DSN: %w", err)
	}
	cfg.MaxConns = 2 // publishes are rare and tiny
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = DefaultApplicationName
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgwatcher: create pool: %w", err)
	}
	w, err := start(ctx, pool, true, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return w, nil
}

// NewFromPool publishes through the application's pool, which Close leaves
// open, and opens its dedicated LISTEN connection with the pool's settings.
func NewFromPool(ctx context.Context, pool *pgxpool.Pool, opts ...watcher.Option) (*watcher.Watcher, error) {
	if pool == nil {
		return nil, errors.New("pgwatcher: NewFromPool: pool is nil")
	}
	return start(ctx, pool, false, opts)
}

func start(ctx context.Context, pool *pgxpool.Pool, ownPool bool, opts []watcher.Option) (*watcher.Watcher, error) {
	t := &transport{pool: pool, ownPool: ownPool, listenConfig: pool.Config().ConnConfig}
	return watcher.New(ctx, t, opts...)
}

type transport struct {
	pool         *pgxpool.Pool
	ownPool      bool
	listenConfig *pgx.ConnConfig
}

func checkChannel(channel string) error {
	if len(channel) > maxChannel {
		return fmt.Errorf("pgwatcher: channel %q is longer than %d bytes", channel, maxChannel)
	}
	return nil
}

func (t *transport) Subscribe(ctx context.Context, channel string) (watcher.Subscription, error) {
	if err := checkChannel(channel); err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, t.listenConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("pgwatcher: connect listener: %w", err)
	}
	s := &subscription{conn: conn, channel: channel, listen: "LISTEN " + pgx.Identifier{channel}.Sanitize()}
	if _, err := conn.Exec(ctx, s.listen); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("pgwatcher: %s: %w", s.listen, err)
	}
	return s, nil
}

func (t *transport) Publish(ctx context.Context, channel, payload string) error {
	if err := checkChannel(channel); err != nil {
		return err
	}
	if len(payload) > maxPayload {
		return fmt.Errorf("pgwatcher: %d-byte payload: %w", len(payload), watcher.ErrPayloadTooLarge)
	}
	if _, err := t.pool.Exec(ctx, "SELECT pg_notify($1, $2)", channel, payload); err != nil {
		return fmt.Errorf("pgwatcher: pg_notify: %w", err)
	}
	return nil
}

func (t *transport) Close() error {
	if t.ownPool {
		t.pool.Close()
	}
	return nil
}

type subscription struct {
	conn    *pgx.Conn
	channel string
	listen  string
}

func (s *subscription) Receive(ctx context.Context) (string, error) {
	for {
		n, err := s.conn.WaitForNotification(ctx)
		if err != nil {
			return "", fmt.Errorf("pgwatcher: wait for notification: %w", err)
		}
		if n.Channel == s.channel {
			return n.Payload, nil
		}
	}
}

// Ping re-runs LISTEN, which is idempotent: a round trip that proves the
// connection alive and keeps pg_stat_activity showing what it is for.
func (s *subscription) Ping(ctx context.Context) error {
	if _, err := s.conn.Exec(ctx, s.listen); err != nil {
		return fmt.Errorf("pgwatcher: ping listener: %w", err)
	}
	return nil
}

func (s *subscription) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return s.conn.Close(ctx)
}
