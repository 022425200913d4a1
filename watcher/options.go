package watcher

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/wardenhq/warden/adapters"
)

// DefaultChannel is the channel used when no [WithChannel] option is given.
const DefaultChannel = "warden_policy"

// Option configures a [Watcher]; both pgwatcher and rediswatcher take them.
type Option func(*config)

type config struct {
	channel        string
	instance       string
	logger         *slog.Logger
	backoff        Backoff
	observer       func(Event)
	timeout        time.Duration
	healthInterval time.Duration
}

// WithChannel sets the channel (NOTIFY channel or Redis channel) shared by the
// instances of one deployment. Deployments sharing a database or Redis need
// distinct channels.
func WithChannel(name string) Option { return func(c *config) { c.channel = name } }

// WithInstanceID sets this instance's id (at most 256 bytes). Ids must be
// unique across the deployment: a watcher drops every hint carrying its own
// id. The default is random.
func WithInstanceID(id string) Option { return func(c *config) { c.instance = id } }

// WithLogger sets the logger for disconnects, reconnects and dropped messages.
// The default discards.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithBackoff sets the reconnection schedule; the default is [DefaultBackoff].
func WithBackoff(b Backoff) Option { return func(c *config) { c.backoff = b } }

// WithObserver registers a function called synchronously for every [Event]; it
// must be fast and must not call back into the watcher. It is the hook for
// metrics (reconnect counters, lag histograms).
func WithObserver(f func(Event)) Option { return func(c *config) { c.observer = f } }

// WithTimeout bounds each publish, each subscribe attempt and each liveness
// check, so that a hung network cannot block a writer. The default is 5s.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithHealthInterval sets how long a subscription may stay silent before the
// watcher checks that its connection is still alive; a silently dropped
// connection is detected within about twice this interval. The default is 30s.
func WithHealthInterval(d time.Duration) Option { return func(c *config) { c.healthInterval = d } }

func newConfig(opts []Option) (config, error) {
	c := config{
		channel:        DefaultChannel,
		backoff:        DefaultBackoff,
		timeout:        5 * time.Second,
		healthInterval: 30 * time.Second,
	}
	for _, o := range opts {
		o(&c)
	}
	if c.channel == "" {
		return c, fmt.Errorf("watcher: option WithChannel: channel name is empty")
	}
	if c.instance == "" {
		c.instance = randomID()
	}
	if len(c.instance) > maxInstanceBytes {
		return c, fmt.Errorf("watcher: option WithInstanceID: %d bytes, at most %d", len(c.instance), maxInstanceBytes)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.observer == nil {
		c.observer = func(Event) {}
	}
	c.observer = adapters.RecoverObserver("watcher "+c.channel, c.observer, c.logger)
	if c.timeout <= 0 {
		return c, fmt.Errorf("watcher: option WithTimeout: %v is not positive", c.timeout)
	}
	if c.healthInterval <= 0 {
		return c, fmt.Errorf("watcher: option WithHealthInterval: %v is not positive", c.healthInterval)
	}
	c.backoff = c.backoff.normalized()
	return c, nil
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
