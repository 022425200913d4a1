package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,40}$`)

// setting is one configuration key, known under three names: the flag
// (--groups-cache-ttl), the environment variable (WARDEN_GROUPS_CACHE_TTL)
// and the YAML path (groups: {cache_ttl: ...}).
type setting struct {
	name  string
	usage string
	list  bool
	set   func(c *Config, vals []string) error
}

// EnvName returns the environment variable of a flag name.
func EnvName(flagName string) string {
	return "WARDEN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func str(f func(c *Config) *string) func(*Config, []string) error {
	return func(c *Config, v []string) error { *f(c) = v[len(v)-1]; return nil }
}

func settings() []setting {
	s := []setting{
		{name: "addr", usage: "listen `address`", set: str(func(c *Config) *string { return &c.Addr })},
		{name: "db", usage: "`database`: sqlite://PATH, postgres://... or mysql://user:pass@host:port/db", set: str(func(c *Config) *string { return &c.DB })},
		{name: "model", usage: "Casbin model `file`", set: str(func(c *Config) *string { return &c.Model })},
		{name: "seed", usage: "policy CSV `file` written to an empty database (empty: none)", set: str(func(c *Config) *string { return &c.Seed })},
		{name: "table-prefix", usage: "`prefix` of every table (casbin_rule, warden_admin_rule, audit_log)", set: str(func(c *Config) *string { return &c.TablePrefix })},
		{name: "channel", usage: "NOTIFY or Redis pub/sub `channel` shared by the instances (the admin policy uses CHANNEL_admin)", set: str(func(c *Config) *string { return &c.Channel })},
		{name: "redis-watcher", usage: "Redis `address` (host:port or redis://) whose pub/sub syncs the instances instead of PostgreSQL NOTIFY", set: str(func(c *Config) *string { return &c.RedisWatcher })},
		{name: "issuer", usage: "required token `issuer`", set: str(func(c *Config) *string { return &c.Issuer })},
		{name: "audience", usage: "required token `audience`", set: str(func(c *Config) *string { return &c.Audience })},
		{name: "jwt-secret", usage: "HMAC `secret` of the tokens, at least 32 bytes", set: str(func(c *Config) *string { return &c.JWTSecret })},
		{name: "jwks-url", usage: "JWKS `URL` of the identity provider", set: str(func(c *Config) *string { return &c.JWKSURL })},
		{name: "admin", usage: "`identity` made a member of warden-admin at start (repeatable, or comma-separated)", list: true,
			set: func(c *Config, v []string) error { c.Admins = v; return nil }},
		{name: "ready-timeout", usage: "`duration` bound of /readyz's checks", set: func(c *Config, v []string) error {
			d, err := parseDuration(v[len(v)-1])
			c.ReadyTimeout = d
			return err
		}},
		{name: "sync-interval", usage: "poll the store's change log every `duration`: the bound on a lost announcement", set: func(c *Config, v []string) error {
			d, err := parseDuration(v[len(v)-1])
			c.SyncInterval = d
			return err
		}},
		{name: "reload-interval", usage: "deprecated name of --sync-interval: the poll runs at the shorter of the two (`duration`, 0: unset)", set: func(c *Config, v []string) error {
			d, err := parseDuration(v[len(v)-1])
			c.ReloadInterval = d
			return err
		}},
		{name: "log-level", usage: "minimum `level` logged: debug, info, warn or error", set: str(func(c *Config) *string { return &c.LogLevel })},
		{name: "decision-log-every", usage: "log one in every `n` authorization decisions (1: all, 0: none; failures are always logged)", set: func(c *Config, v []string) error {
			n, err := parseInt(v[len(v)-1])
			c.DecisionLogEvery = n
			return err
		}},
	}
	s = append(s, providerSettings("groups", func(c *Config) *Provider { return &c.Groups })...)
	s = append(s, providerSettings("permissions", func(c *Config) *Provider { return &c.Permissions })...)
	return s
}

func providerSettings(prefix string, p func(c *Config) *Provider) []setting {
	dur := func(f func(p *Provider) *int64) func(*Config, []string) error {
		return func(c *Config, v []string) error {
			d, err := parseDuration(v[len(v)-1])
			*f(p(c)) = int64(d)
			return err
		}
	}
	num := func(f func(p *Provider) *int) func(*Config, []string) error {
		return func(c *Config, v []string) error {
			n, err := parseInt(v[len(v)-1])
			*f(p(c)) = n
			return err
		}
	}
	text := func(f func(p *Provider) *string) func(*Config, []string) error {
		return func(c *Config, v []string) error { *f(p(c)) = v[len(v)-1]; return nil }
	}
	return []setting{
		{name: prefix + "-provider", list: true, usage: "`sources` of " + prefix + ": " + strings.Join(Kinds(), ", ") + " (comma-separated)",
			set: func(c *Config, v []string) error { p(c).Sources = slices.Clone(v); return nil }},
		{name: prefix + "-combine", usage: "`how` several sources combine: union or intersection (best_effort is refused: docs/providers.md)", set: text(func(p *Provider) *string { return &p.Combine })},
		{name: prefix + "-claim", usage: "claim `path` of the claims source", set: text(func(p *Provider) *string { return &p.Claim })},
		{name: prefix + "-file", usage: "JSON `file` of the file source", set: text(func(p *Provider) *string { return &p.File })},
		{name: prefix + "-sql-dsn", usage: "`database` of the sql source (default: --db)", set: text(func(p *Provider) *string { return &p.SQLDSN })},
		{name: prefix + "-redis-addr", usage: "`host:port` of the redis source", set: text(func(p *Provider) *string { return &p.RedisAddr })},
		{name: prefix + "-redis-prefix", usage: "key `prefix` of the redis source", set: text(func(p *Provider) *string { return &p.RedisPrefix })},
		{name: prefix + "-url", usage: "base `URL` of the http source", set: text(func(p *Provider) *string { return &p.URL })},
		{name: prefix + "-api-key", usage: "bearer `key` the http source sends", set: text(func(p *Provider) *string { return &p.APIKey })},
		{name: prefix + "-timeout", usage: "`duration` bound of one fetch", set: dur(func(p *Provider) *int64 { return (*int64)(&p.Timeout) })},
		{name: prefix + "-retries", usage: "`n` attempts after the first", set: num(func(p *Provider) *int { return &p.Retries })},
		{name: prefix + "-cache-ttl", usage: "cache answers per identity for `duration` (0: no cache)", set: dur(func(p *Provider) *int64 { return (*int64)(&p.CacheTTL) })},
		{name: prefix + "-cache-size", usage: "`n` identities kept by the cache", set: num(func(p *Provider) *int { return &p.CacheSize })},
		{name: prefix + "-breaker-failures", usage: "`n` consecutive failures open the circuit breaker (0: none)", set: num(func(p *Provider) *int { return &p.BreakerFailures })},
		{name: prefix + "-breaker-open", usage: "`duration` an open breaker refuses fetches", set: dur(func(p *Provider) *int64 { return (*int64)(&p.BreakerOpen) })},
	}
}

// apply sets one setting from a source, naming the source in errors.
func (s setting) apply(c *Config, source string, vals []string) error {
	if s.list {
		var flat []string
		for _, v := range vals {
			flat = append(flat, parseList(v)...)
		}
		vals = flat
		if len(vals) == 0 {
			return s.set(c, nil)
		}
	}
	if err := s.set(c, vals); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, source, err)
	}
	return nil
}
