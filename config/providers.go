package config

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/breaker"
	"github.com/wardenhq/warden/adapters/cache"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/adapters/filewatch"
	"github.com/wardenhq/warden/adapters/httpapi"
	"github.com/wardenhq/warden/adapters/jsonfile"
	"github.com/wardenhq/warden/adapters/multi"
	"github.com/wardenhq/warden/adapters/redisstore"
	"github.com/wardenhq/warden/adapters/retry"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/adapters/timeout"
	"github.com/wardenhq/warden/health"
)

// DefaultRemoteTimeout bounds a fetch from every source but claims when no
// timeout is configured: a hung database or service must not hold a request
// forever.
const DefaultRemoteTimeout = 2 * time.Second

// Hooks receive observations of the providers, for metrics. Nil fields are
// skipped. source is "groups/sql", "permissions/claims"... A hook is an
// observer: one that panics is recovered and logged on BuildProviders'
// logger (adapters.RecoverObserver), and the answer it observed stands.
type Hooks struct {
	// Fetch is told about every call to a source (inside the wrappers, so
	// retries count one by one).
	Fetch func(source string, latency time.Duration, err error)
	// Cache is told whether a call through a source's cache was answered
	// without its own upstream fetch (hit).
	Cache func(source string, hit bool)
	// Breaker is told about every state change of a source's breaker, and
	// of its initial closed state.
	Breaker func(source string, state breaker.State)
}

// Providers are the built groups and permissions providers.
type Providers struct {
	Groups      warden.GroupsProvider
	Permissions warden.PermissionsProvider
	// Checks tell /readyz whether the sources answer.
	Checks  []health.Check
	closers []func() error
}

// Close releases what the sources hold (file watchers, databases opened
// for them).
func (p *Providers) Close() error {
	var errs []error
	for i := len(p.closers) - 1; i >= 0; i-- {
		errs = append(errs, p.closers[i]())
	}
	return errors.Join(errs...)
}

// source is one built source: every kind answers both groups and
// permissions.
type source interface {
	Groups(ctx context.Context, tok *warden.Token) ([]string, error)
	Permissions(ctx context.Context, tok *warden.Token) ([]string, error)
}

// build carries what builders share.
type build struct {
	ctx    context.Context
	cfg    Config
	db     *gorm.DB
	logger *slog.Logger
	memo   map[string]source
	out    *Providers
}

type builder func(b *build, p Provider) (source, error)

// builders is the "create provider from configuration" factory: one line
// per kind.
var builders = map[string]builder{
	KindClaims: buildClaims,
	KindSQL:    buildSQL,
	KindFile:   buildFile,
	KindRedis:  buildRedis,
	KindHTTP:   buildHTTP,
}

// Kinds returns the source kinds, sorted.
func Kinds() []string {
	out := make([]string, 0, len(builders))
	for k := range builders {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// BuildProviders builds the sources c chooses, wrapped and combined. db is
// the policy database, used by the sql source unless it names its own.
func BuildProviders(ctx context.Context, c Config, db *gorm.DB, h Hooks, logger *slog.Logger) (*Providers, error) {
	if logger == nil {
		logger = slog.Default()
	}
	// The same refusals as Validate, for callers that built c themselves.
	if err := errors.Join(c.Groups.validate("groups"), c.Permissions.validate("permissions")); err != nil {
		return nil, err
	}
	out := &Providers{}
	b := &build{ctx: ctx, cfg: c, db: db, logger: logger, memo: map[string]source{}, out: out}
	g, err := b.chain("groups", c.Groups, h, func(s source) warden.Provider { return warden.ProviderFunc(s.Groups) })
	if err != nil {
		_ = out.Close()
		return nil, err
	}
	p, err := b.chain("permissions", c.Permissions, h, func(s source) warden.Provider { return warden.ProviderFunc(s.Permissions) })
	if err != nil {
		_ = out.Close()
		return nil, err
	}
	out.Groups, out.Permissions = g, p
	return out, nil
}

// chain builds the sources of one provider, wraps each and combines them.
func (b *build) chain(name string, p Provider, h Hooks, pick func(source) warden.Provider) (warden.Provider, error) {
	var fetches []warden.Provider
	for _, kind := range p.Sources {
		mk, ok := builders[kind]
		if !ok {
			return nil, fmt.Errorf("%w: %s-provider: unknown source %q (known: %v)", ErrInvalid, name, kind, Kinds())
		}
		src, err := mk(b, p)
		if err != nil {
			return nil, fmt.Errorf("config: %s source %s: %w", name, kind, err)
		}
		f, err := wrap(name+"/"+kind, kind, pick(src), p, h, b.logger)
		if err != nil {
			return nil, fmt.Errorf("config: %s source %s: %w", name, kind, err)
		}
		fetches = append(fetches, f)
	}
	if len(fetches) == 1 {
		return fetches[0], nil
	}
	var opts []multi.Option
	switch p.Combine {
	case CombineIntersection:
		opts = append(opts, multi.Intersection())
	case CombineBestEffort:
		opts = append(opts, multi.WithBestEffort(func(i int, err error) {
			b.logger.Warn("config: a source failed; answering from the others", "provider", name, "source", p.Sources[i], "error", err)
		}))
	}
	return multi.Wrap(fetches, opts...)
}

// fetchObservation is what Hooks.Fetch is told about one call.
type fetchObservation struct {
	latency time.Duration
	err     error
}

// wrap puts f, from the inside out, behind the fetch hook, a timeout,
// retries, a circuit breaker and a cache, each only when configured. The
// claims source gets the hook alone: it does no I/O, so it has nothing to
// time out, retry or protect; its answer is the token's own, which a cache
// keyed by identity would give to other tokens of the same subject; and its
// errors are the caller's (a malformed claim), which must not open a
// breaker shared by every caller. In a mix, the cache holds only the other
// sources' answers, and every request reads its own claims. logger gets
// the panics of the hooks (the fetch hook, and the breaker's and the
// cache's observers), which are recovered.
func wrap(label, kind string, f warden.Provider, p Provider, h Hooks, logger *slog.Logger) (warden.Provider, error) {
	if h.Fetch != nil {
		// The hook is an observer called on the request's path: a panic in
		// it is recovered and logged (adapters.RecoverObserver), and the
		// answer, or error, it observed is returned unchanged.
		observe := adapters.RecoverObserver("config Hooks.Fetch "+label, func(o fetchObservation) {
			h.Fetch(label, o.latency, o.err)
		}, logger)
		inner := f
		f = warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
			start := time.Now()
			list, err := inner.Fetch(ctx, tok)
			observe(fetchObservation{latency: time.Since(start), err: err})
			return list, err
		})
	}
	if kind == KindClaims {
		return f, nil
	}
	d := p.Timeout
	if d == 0 {
		d = DefaultRemoteTimeout
	}
	f, err := timeout.Wrap(f, timeout.WithDuration(d))
	if err != nil {
		return nil, err
	}
	if p.Retries > 0 {
		opts := []retry.Option{retry.WithAttempts(p.Retries + 1)}
		if kind == KindHTTP {
			// A 4xx answer will not change on retry.
			opts = append(opts, retry.WithRetryIf(httpapi.Retryable))
		}
		if f, err = retry.Wrap(f, opts...); err != nil {
			return nil, err
		}
	}
	if p.BreakerFailures > 0 {
		opts := []breaker.Option{breaker.WithName(label), breaker.WithFailures(uint32(p.BreakerFailures)), breaker.WithLogger(logger)}
		if p.BreakerOpen > 0 {
			opts = append(opts, breaker.WithOpenTimeout(p.BreakerOpen))
		}
		if h.Breaker != nil {
			opts = append(opts, breaker.WithObserver(func(e breaker.Event) { h.Breaker(e.Name, e.To) }))
			// The initial state is reported here, outside the breaker's
			// own recovery: a panicking hook must not fail the build.
			adapters.RecoverObserver("config Hooks.Breaker "+label, func(s breaker.State) { h.Breaker(label, s) }, logger)(breaker.Closed)
		}
		if f, err = breaker.Wrap(f, opts...); err != nil {
			return nil, err
		}
	}
	if p.CacheTTL > 0 {
		opts := []cache.Option{cache.WithTTL(p.CacheTTL), cache.WithLogger(logger)}
		if p.CacheSize > 0 {
			opts = append(opts, cache.WithSize(p.CacheSize))
		}
		if h.Cache != nil {
			// A call is a hit when it needed no upstream fetch of its own;
			// one that failed without a fetch of its own (it waited for a
			// load that failed, or gave up) is not counted.
			opts = append(opts, cache.WithObserver(func(e cache.Event) {
				if e.Err == nil || e.Result == cache.Miss {
					h.Cache(label, e.Result != cache.Miss)
				}
			}))
		}
		if f, err = cache.Wrap(f, opts...); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func buildClaims(b *build, _ Provider) (source, error) {
	if s, ok := b.memo[KindClaims]; ok {
		return s, nil
	}
	var opts []claims.Option
	if b.cfg.Groups.Claim != "" {
		opts = append(opts, claims.WithGroupsClaim(b.cfg.Groups.Claim))
	}
	if b.cfg.Permissions.Claim != "" {
		opts = append(opts, claims.WithPermissionsClaim(b.cfg.Permissions.Claim))
	}
	p, err := claims.New(opts...)
	if err != nil {
		return nil, err
	}
	b.memo[KindClaims] = p
	return p, nil
}

func buildSQL(b *build, p Provider) (source, error) {
	key := KindSQL + "\x00" + p.SQLDSN
	if s, ok := b.memo[key]; ok {
		return s, nil
	}
	prefix := b.cfg.TablePrefix
	tables := sqlstore.WithTables(prefix+sqlstore.DefaultGroupsTable, prefix+sqlstore.DefaultPermissionsTable)
	var (
		st  *sqlstore.Store
		err error
	)
	target := "the policy database"
	if p.SQLDSN != "" {
		if st, err = sqlstore.Open(b.ctx, p.SQLDSN, tables); err != nil {
			return nil, err
		}
		b.out.closers = append(b.out.closers, st.Close)
		target = "a " + sqlstore.Dialect(p.SQLDSN) + " database" // never the DSN: it may hold a password
	} else {
		if b.db == nil {
			return nil, errors.New("no database for the sql source")
		}
		if st, err = sqlstore.New(b.db, tables); err != nil {
			return nil, err
		}
		if err := st.Migrate(b.ctx); err != nil {
			return nil, err
		}
	}
	b.addCheck(KindSQL, target, st.Ping)
	b.memo[key] = st
	return st, nil
}

// addCheck adds a readiness check of a source of kind, named generically
// ("redis", then "redis_2"...): /readyz answers without a token, so its
// names must not show where the source is. The log line written here ties
// the name to target for operators. Sources are memoized, so each distinct
// source gets one check.
func (b *build) addCheck(kind, target string, check func(context.Context) error) {
	name := kind
	for i := 2; slices.ContainsFunc(b.out.Checks, func(c health.Check) bool { return c.Name == name }); i++ {
		name = kind + "_" + strconv.Itoa(i)
	}
	b.out.Checks = append(b.out.Checks, health.Check{Name: name, Check: check})
	b.logger.Info("config: readiness check", "check", name, "target", target)
}

func buildFile(b *build, p Provider) (source, error) {
	key := KindFile + "\x00" + p.File
	if s, ok := b.memo[key]; ok {
		return s, nil
	}
	f, err := jsonfile.Open(p.File)
	if err != nil {
		return nil, err
	}
	w, err := filewatch.New(p.File, filewatch.WithReload(f.Reload), filewatch.WithErrorHandler(func(err error) {
		b.logger.Error("config: reloading the file source failed; keeping its last good content", "file", p.File, "error", err)
	}))
	if err != nil {
		return nil, err
	}
	b.out.closers = append(b.out.closers, func() error { w.Close(); return nil })
	b.memo[key] = f
	return f, nil
}

func buildRedis(b *build, p Provider) (source, error) {
	key := KindRedis + "\x00" + p.RedisAddr + "\x00" + p.RedisPrefix
	if s, ok := b.memo[key]; ok {
		return s, nil
	}
	st, err := redisstore.Open(p.RedisAddr, redisstore.WithPrefix(p.RedisPrefix))
	if err != nil {
		return nil, err
	}
	b.out.closers = append(b.out.closers, st.Close)
	b.addCheck(KindRedis, p.RedisAddr, st.Ping)
	b.memo[key] = st
	return st, nil
}

func buildHTTP(b *build, p Provider) (source, error) {
	key := KindHTTP + "\x00" + p.URL + "\x00" + p.APIKey
	if s, ok := b.memo[key]; ok {
		return s, nil
	}
	var opts []httpapi.Option
	if p.APIKey != "" {
		opts = append(opts, httpapi.WithAPIKey(p.APIKey))
	}
	if p.Timeout > 0 {
		opts = append(opts, httpapi.WithTimeout(p.Timeout))
	}
	c, err := httpapi.New(p.URL, opts...)
	if err != nil {
		return nil, err
	}
	b.memo[key] = c
	return c, nil
}
