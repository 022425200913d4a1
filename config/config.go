package config

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

// ErrInvalid is wrapped by every configuration error; the message names the
// source (flag, environment variable, or FILE:LINE) and the setting.
var ErrInvalid = warden.NewError(warden.ErrInvalid, "config: invalid")

// Config is the configuration of `warden serve`.
type Config struct {
	Addr        string // listen address
	DB          string // database: sqlite://PATH, postgres://..., mysql://...
	Model       string // Casbin model file
	Seed        string // policy.csv written to an empty database
	TablePrefix string // prepended to every table name
	Channel     string // NOTIFY or Redis channel shared by the instances
	// RedisWatcher, when set, is the Redis (host:port or redis:// URL)
	// whose pub/sub keeps the instances in step, instead of PostgreSQL's
	// LISTEN/NOTIFY; it is how MySQL and SQLite deployments sync at once.
	RedisWatcher string
	Issuer       string   // required token issuer
	Audience     string   // required token audience
	JWTSecret    string   // HMAC secret (at least 32 bytes)
	JWKSURL      string   // JWKS URL of the identity provider
	Admins       []string // identities made members of warden-admin at start
	ReadyTimeout time.Duration
	// SyncInterval is how often each instance polls the store's change log
	// (one indexed query for revisions after the one it applied). It bounds
	// how long a committed change can stay unapplied when its announcement
	// is lost; announcements only make it sooner.
	SyncInterval time.Duration
	// ReloadInterval is the former name of SyncInterval, kept so that
	// existing configurations still work: when set, the poll runs at the
	// shorter of the two. 0 leaves SyncInterval alone (the poll cannot be
	// turned off).
	ReloadInterval time.Duration
	// LogLevel is the minimum level logged: debug, info, warn or error.
	LogLevel string
	// DecisionLogEvery logs one in every n authorization decisions (1:
	// all, 0: none); failed decisions (503) are always logged.
	DecisionLogEvery int

	Groups      Provider // where callers' groups come from
	Permissions Provider // where callers' permissions come from
}

// Provider chooses and tunes the sources of groups or of permissions. The
// answers of several sources are combined (Combine); each source is wrapped,
// from the inside out, in a timeout, retries, a circuit breaker and a cache,
// each only when configured.
type Provider struct {
	// Sources are kinds: claims, sql, file (see Kinds).
	Sources []string
	// Combine is union (default: every source must answer, or the fetch
	// fails and the request is answered 503), or intersection (refused for
	// several groups sources, which could drop a group a deny names; a
	// permissions intersection keeps every source's denies). best_effort
	// (a union that skips failed sources while one answers) is refused:
	// warden serve decides with a model whose deny rules a failed source
	// could hide (see docs/providers.md).
	Combine string
	// Claim is the claim path read by the claims source.
	Claim string
	// File is the JSON file of the file source (package jsonfile); it is
	// reloaded when it changes.
	File string
	// SQLDSN is the database of the sql source; empty means the policy
	// database.
	SQLDSN string
	// RedisAddr is the host:port of the redis source (package redisstore).
	RedisAddr string
	// RedisPrefix is put in front of the redis source's keys.
	RedisPrefix string
	// URL is the base URL of the http source (package httpapi).
	URL string
	// APIKey is the bearer key the http source sends (the service's own
	// key, never the caller's token).
	APIKey string
	// Timeout bounds one fetch (0: none; sql and file default to 2s).
	Timeout time.Duration
	// Retries is the number of attempts after the first.
	Retries int
	// CacheTTL enables a per-identity cache holding answers this long. It
	// caches the stored sources only (never claims, which are per token),
	// and is refused when claims is the only source.
	CacheTTL time.Duration
	// CacheSize bounds the cached identities (0: the cache's default).
	CacheSize int
	// BreakerFailures opens a circuit breaker after this many consecutive
	// failures (0: no breaker).
	BreakerFailures int
	// BreakerOpen is how long an open breaker refuses fetches.
	BreakerOpen time.Duration
}

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		Addr:             "127.0.0.1:8181",
		DB:               "sqlite://warden.db",
		Model:            "conf/model.conf",
		Seed:             "conf/policy.csv",
		Channel:          "warden_policy",
		Issuer:           "https://warden.local",
		Audience:         "warden",
		ReadyTimeout:     2 * time.Second,
		SyncInterval:     2 * time.Second,
		LogLevel:         "info",
		DecisionLogEvery: 1,
		Groups:           Provider{Sources: []string{KindClaims}, Combine: CombineUnion},
		Permissions:      Provider{Sources: []string{KindClaims}, Combine: CombineUnion},
	}
}

// Source kinds.
const (
	KindClaims = "claims"
	KindSQL    = "sql"
	KindFile   = "file"
	KindRedis  = "redis"
	KindHTTP   = "http"
)

// Ways of combining several sources.
const (
	CombineUnion        = "union"
	CombineIntersection = "intersection"
	CombineBestEffort   = "best_effort"
)

// Validate checks the settings that depend on each other.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...))
	}
	switch {
	case c.JWTSecret != "" && c.JWKSURL != "":
		bad("give jwt-secret or jwks-url, not both")
	case c.JWTSecret == "" && c.JWKSURL == "":
		bad("no key to verify tokens: give jwt-secret (WARDEN_JWT_SECRET) or jwks-url (WARDEN_JWKS_URL)")
	case c.JWTSecret != "" && len(c.JWTSecret) < 32:
		bad("jwt-secret is %d bytes, at least 32 are needed", len(c.JWTSecret))
	}
	if strings.TrimSpace(c.Issuer) == "" || strings.TrimSpace(c.Audience) == "" {
		bad("issuer and audience must not be empty")
	}
	for _, req := range []struct{ name, v string }{{"addr", c.Addr}, {"db", c.DB}, {"model", c.Model}, {"channel", c.Channel}} {
		if strings.TrimSpace(req.v) == "" {
			bad("%s must not be empty", req.name)
		}
	}
	// A DSN whose scheme no driver here reads fails now, before a file
	// is created under its name; the error names the scheme only.
	for _, d := range []struct{ name, v string }{{"db", c.DB}, {"groups-sql-dsn", c.Groups.SQLDSN}, {"permissions-sql-dsn", c.Permissions.SQLDSN}} {
		if strings.TrimSpace(d.v) != "" {
			if err := sqlstore.CheckDSN(d.v); err != nil {
				bad("%s: %v", d.name, err)
			}
		}
	}
	if c.ReadyTimeout <= 0 || c.ReloadInterval < 0 {
		bad("ready-timeout must be positive and reload-interval not negative")
	}
	if c.SyncInterval <= 0 {
		bad("sync-interval must be positive (the poll of the change log cannot be turned off)")
	}
	if _, err := ParseLogLevel(c.LogLevel); err != nil {
		bad("log-level: %v", err)
	}
	if c.DecisionLogEvery < 0 {
		bad("decision-log-every must be 0 (none), 1 (all) or more (one in n)")
	}
	if c.TablePrefix != "" && !identRe.MatchString(c.TablePrefix) {
		bad("table-prefix %q: letters, digits and _ only, starting with a letter or _", c.TablePrefix)
	}
	if !identRe.MatchString(c.Channel) {
		bad("channel %q: letters, digits and _ only, starting with a letter or _", c.Channel)
	}
	for _, p := range []struct {
		name string
		p    Provider
	}{{"groups", c.Groups}, {"permissions", c.Permissions}} {
		if err := p.p.validate(p.name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (p Provider) validate(name string) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s-"+format, append([]any{ErrInvalid, name}, args...)...))
	}
	if len(p.Sources) == 0 {
		bad("provider: at least one source is needed (%s)", strings.Join(Kinds(), ", "))
	}
	for _, k := range p.Sources {
		if _, ok := builders[k]; !ok {
			bad("provider: unknown source %q (known: %s)", k, strings.Join(Kinds(), ", "))
		}
		if k == KindFile && p.File == "" {
			bad("file: required by the file source")
		}
		if k == KindRedis && p.RedisAddr == "" {
			bad("redis-addr: required by the redis source")
		}
		if k == KindHTTP && p.URL == "" {
			bad("url: required by the http source")
		}
	}
	switch p.Combine {
	case CombineUnion:
	case CombineIntersection:
		// A deny entry of a permissions source survives an intersection
		// (multi.Intersection); a group carries no such mark, and one
		// that a deny rule names but only one source lists is dropped.
		if name == "groups" && len(p.Sources) > 1 {
			if err := bestEffortSafe(); err != nil {
				bad("combine: intersection is refused: it answers only the groups every source lists, so a group "+
					"that a deny rule names and one source alone lists would be dropped and the deny with it, and the "+
					"model warden serve authorizes callers with (models/%s.conf) is not safe for that (%v); use union",
					models.Permissions, err)
			}
		}
	case CombineBestEffort:
		if err := bestEffortSafe(); err != nil {
			bad("combine: best_effort is refused: it answers from the sources that did not fail, so a failed source "+
				"could hide a group or permission that a deny rule names and turn a deny into an allow, and the model "+
				"warden serve authorizes callers with (models/%s.conf) is not safe for that (%v); use union, where a "+
				"failed source answers 503, or intersection", models.Permissions, err)
		}
	default:
		bad("combine: %q is not union, intersection or best_effort", p.Combine)
	}
	stored := slices.ContainsFunc(p.Sources, func(k string) bool { return k != KindClaims })
	if !stored && p.CacheTTL > 0 {
		bad("cache-ttl: the claims source is never cached: its answer is each token's own claims, and a cache keyed " +
			"by identity would give one token's claims (warden:admin, say) to every token of the same subject; " +
			"remove the cache, or add a stored source (sql, file, redis, http), whose answers alone it caches")
	}
	if p.Retries < 0 || p.CacheSize < 0 || p.BreakerFailures < 0 || p.Timeout < 0 || p.CacheTTL < 0 || p.BreakerOpen < 0 {
		bad("provider: negative numbers and durations are not allowed")
	}
	return errors.Join(errs...)
}

// bestEffortSafe returns nil when a best_effort union cannot turn a deny
// into an allow in the model that warden serve decides with callers'
// groups and permissions: the admin policy's, models.Permissions. A union
// missing a failed source's answers is then only ever stricter.
func bestEffortSafe() error {
	m, err := models.Load(models.Permissions)
	if err != nil {
		return err
	}
	return enforcer.Monotone(m)
}

func parseList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parseInt(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return n, nil
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 500ms or 30s", s)
	}
	return d, nil
}

// EffectiveSyncInterval is the poll interval in force: SyncInterval, or the
// deprecated ReloadInterval when it is set and shorter.
func (c Config) EffectiveSyncInterval() time.Duration {
	if c.ReloadInterval > 0 && c.ReloadInterval < c.SyncInterval {
		return c.ReloadInterval
	}
	return c.SyncInterval
}

// ParseLogLevel parses debug, info, warn or error (any case).
func ParseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil || strings.ContainsAny(s, "+-") {
		return 0, fmt.Errorf("%q is not debug, info, warn or error", s)
	}
	return l, nil
}
