package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/metrics"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/policyadmin"
	"github.com/wardenhq/warden/server"
	"github.com/wardenhq/warden/watcher"
	"github.com/wardenhq/warden/watcher/pgwatcher"
	"github.com/wardenhq/warden/watcher/policysync"
	"github.com/wardenhq/warden/watcher/rediswatcher"
)

// runServe starts the decision and management API (package server):
//
//	warden serve [--config FILE] [--addr 127.0.0.1:8181] [--db sqlite://warden.db|postgres://...|mysql://...]
//	             [--model conf/model.conf] [--seed conf/policy.csv] [--admin ID]...
//	             [--issuer I --audience A] (--jwt-secret S | --jwks-url URL)
//	             [--channel warden_policy] [--table-prefix P] [--sync-interval 2s]
//	             [--log-level info] [--decision-log-every 1]
//	             [--groups-provider claims,sql,file ...] [--permissions-provider ...]
//
// Every flag also reads WARDEN_<FLAG> and the YAML file (package config).
// Without --model, where conf/model.conf is not in the working directory,
// it takes the embedded default model for a new database and refuses to
// start on one that holds a policy (refuseFallbackModel).
// It binds its port before it opens the database; until the store is open
// and the policies loaded, /healthz answers 200, /readyz 503 and every
// other route 503 with Retry-After. It prints "warden: listening on
// http://ADDR" on stdout once the API answers (ADDR is the real port when
// --addr ends in :0; the JSON log has the address from the moment it is
// bound), then, with
// --jwt-secret, a ready `warden token` command line whose --issuer and
// --audience match (`warden token` alone defaults to the demo's audience
// posts-api, which serve refuses). It logs JSON to stderr at --log-level
// (the MySQL driver and go-redis included), one authorization decision in
// --decision-log-every (1: all, 0: none; failures always), and stops
// gracefully on SIGINT or SIGTERM. The store is the truth: each policy
// reads the store's change log every --sync-interval (default 2s) and on
// every hint of its watcher, each with its own connections: one on
// --channel for the served policy and one on the same name with "_admin"
// appended (warden_policy_admin by default) for the admin policy. They use
// Redis pub/sub with --redis-watcher, else PostgreSQL LISTEN/NOTIFY when
// --db is postgres://; with neither, the poll alone keeps the instance in
// step. --reload-interval, its former name, shortens the interval when it
// is the shorter. /readyz fails sync_<scope> when the instance may be more
// than three intervals stale, and watcher_<scope> while a subscription is
// lost (docs/operations.md).
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("serve", "[flags]", stdout, stderr)
	loader := config.NewLoader(fs.FlagSet)
	// --model also takes an embedded model's name (loadModel).
	if f := fs.Lookup("model"); f != nil {
		f.Usage = strings.Replace(f.Usage, "Casbin model `file`", modelUsage("Casbin model"), 1)
	}
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return errorf(stderr, "serve", "unexpected arguments %q", pos)
	}
	cfg, err := loader.Load(os.Getenv)
	if err != nil {
		return errorf(stderr, "serve", "%v", err)
	}
	dsns := []string{cfg.DB, cfg.Groups.SQLDSN, cfg.Permissions.SQLDSN}
	stdout, stderr = maskDSNs(stdout, dsns...), maskDSNs(stderr, dsns...)
	logger := newLogger(cfg, stderr)
	// The files first: a model or seed that is not valid fails before a
	// port is bound or a database file created.
	files, err := readServeFiles(context.WithoutCancel(ctx), cfg, logger)
	if err != nil {
		return errorf(stderr, "serve", "%v", err)
	}
	// Bind first: probes get answers (alive, not ready) while the store is
	// opened, and a port already taken fails at once, not after the setup.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return errorf(stderr, "serve", "%v", err)
	}
	// A SQLite file that serve creates and then fails to set up is
	// removed, so that the failure leaves nothing behind; a file that
	// existed is never removed.
	created, err := createSQLiteFile(cfg.DB)
	if err != nil {
		_ = ln.Close()
		return errorf(stderr, "serve", "%v", err)
	}
	// The setup lock beside a file this start creates is this start's too
	// (lockSQLiteSetup), and goes with it.
	var createdLock string
	if created != "" {
		if _, err := os.Stat(created + "-setup.lock"); errors.Is(err, os.ErrNotExist) {
			createdLock = created + "-setup.lock"
		}
	}
	logger.Info("warden: port bound; opening the store", "addr", ln.Addr().String())
	var h startupHandler
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, ln, &h) }()
	app, err := openServe(ctx, cfg, files, logger)
	if err != nil {
		if ctx.Err() == nil {
			_ = ln.Close() // stops Serve, which then reports the closed listener
		}
		<-served
		if created != "" {
			if rerr := os.Remove(created); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				logger.Warn("warden: could not remove a file this start created", "file", created, "error", rerr)
			}
		}
		if createdLock != "" {
			// Not while another instance holds it or waits for it.
			if rerr := removeSQLiteSetupLock(created); rerr != nil {
				logger.Warn("warden: could not remove a file this start created", "file", createdLock, "error", rerr)
			}
		}
		return errorf(stderr, "serve", "%v", err)
	}
	defer app.close() // after Serve has drained the requests in flight
	h.ready(app.handler)
	fmt.Fprintf(stdout, "warden: listening on http://%s\n", ln.Addr())
	if line := tokenHint(cfg); line != "" {
		fmt.Fprintln(stdout, line)
	}
	if err := <-served; err != nil {
		return errorf(stderr, "serve", "%v", err)
	}
	return exitOK
}

// tokenHint returns the line telling how to mint a token this server
// accepts, or "" when its tokens come from an identity provider (JWKS).
// The secret itself is never printed.
func tokenHint(cfg config.Config) string {
	if cfg.JWKSURL != "" {
		return ""
	}
	sub := "ID"
	if len(cfg.Admins) > 0 {
		sub = cfg.Admins[0]
	}
	return fmt.Sprintf("warden: try it with a token from: warden token --issuer %s --audience %s --sub %s (secret: WARDEN_JWT_SECRET or --secret, the value of serve's --jwt-secret)",
		shellQuote(cfg.Issuer), shellQuote(cfg.Audience), shellQuote(sub))
}

// shellQuote quotes s for a POSIX shell when it holds anything but plain
// characters.
func shellQuote(s string) string {
	plain := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("@%+=:,./_-", c)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// serveApp is everything a running server holds.
type serveApp struct {
	handler http.Handler
	policy  *enforcer.Enforcer
	admin   *enforcer.Enforcer
	// instance names this process in the announcements its stores send;
	// its watchers can use it to skip their own.
	instance string
	closers  []func()
}

func (a *serveApp) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// openServe opens the database, loads (and on first start seeds) both
// policies, and builds the providers, the middleware, the watchers and the
// API. On error, whatever was opened is closed.
func openServe(ctx context.Context, cfg config.Config, files serveFiles, logger *slog.Logger) (_ *serveApp, err error) {
	app := &serveApp{}
	defer func() {
		if err != nil {
			app.close()
		}
	}()
	db, err := config.OpenDB(cfg.DB)
	if err != nil {
		return nil, err
	}
	app.closers = append(app.closers, func() { closeDB(db) })
	tables := policyadmin.TablesWithPrefix(cfg.TablePrefix)
	m := files.model
	am, err := models.Load(models.Permissions)
	if err != nil {
		return nil, err
	}
	var log *audit.Log
	app.instance = newInstanceID()
	err = withSetupLock(ctx, db, "warden_setup:"+tables.Policy, func() error {
		if err := refuseFallbackModel(ctx, db, tables.Policy, files.fallback); err != nil {
			return err
		}
		var err error
		if app.policy, err = policyadmin.OpenEnforcer(ctx, db, m, tables.Policy, logger,
			storeOptions(cfg.DB, cfg.RedisWatcher, cfg.Channel, app.instance)...); err != nil {
			return err
		}
		if app.admin, err = policyadmin.OpenEnforcer(ctx, db, am, tables.Admin, logger,
			storeOptions(cfg.DB, cfg.RedisWatcher, cfg.Channel+"_admin", app.instance)...); err != nil {
			return err
		}
		if log, err = audit.New(ctx, db, audit.WithTable(tables.Audit), audit.WithLogger(logger)); err != nil {
			return err
		}
		return seed(ctx, cfg, app, files, log, logger)
	})
	if err != nil {
		return nil, err
	}
	warnWithoutAdmin(ctx, app.admin, logger)

	met := metrics.New()
	met.Policy(policyadmin.ScopePolicy, app.policy)
	met.Policy(policyadmin.ScopeAdmin, app.admin)
	// The chain head, outside the database: a truncated or rewritten
	// audit log shows as a sequence that goes down or a hash that changes.
	met.AuditChain(log.Table(), log.ChainHead)
	if _, err := log.LogHead(ctx); err != nil {
		return nil, err
	}
	prov, err := config.BuildProviders(ctx, cfg, db, config.Hooks{Fetch: met.ObserveFetch, Cache: met.ObserveCache, Breaker: met.ObserveBreaker}, logger)
	if err != nil {
		return nil, err
	}
	app.closers = append(app.closers, func() { _ = prov.Close() })

	topts := []token.Option{token.WithIssuer(cfg.Issuer), token.WithAudience(cfg.Audience), token.WithLogger(logger)}
	if cfg.JWKSURL != "" {
		topts = append(topts, token.WithJWKSURL(cfg.JWKSURL))
	} else {
		topts = append(topts, token.WithHMACSecret([]byte(cfg.JWTSecret)))
	}
	v, err := token.New(ctx, topts...)
	if err != nil {
		return nil, err
	}
	app.closers = append(app.closers, func() { _ = v.Close() })
	auth, err := middleware.New(
		middleware.WithVerifier(v),
		middleware.WithDecider(met.Decider(app.policy)),
		middleware.WithGroups(prov.Groups),
		middleware.WithPermissions(prov.Permissions),
		// No caller may be identified as a role of either policy (sub
		// "warden-admin" would be the admin role): the decider is wrapped
		// by metrics, so the sources are named, warden-admin too, which
		// callers may hold through their token's groups only.
		middleware.WithRoleSources(app.policy, app.admin, middleware.RoleNames{policyadmin.AdminRole}),
		middleware.WithLogger(logger),
		middleware.WithDecisionLogSampling(cfg.DecisionLogEvery),
	)
	if err != nil {
		return nil, err
	}

	syncChecks, err := syncInstances(ctx, cfg, app, met, logger)
	if err != nil {
		return nil, err
	}
	srv, err := server.New(
		server.WithPolicy(app.policy), server.WithAdmin(app.admin), server.WithAuth(auth), server.WithAudit(log),
		server.WithLogger(logger), server.WithReadyTimeout(cfg.ReadyTimeout),
		server.WithReadiness(append(append([]server.Check{server.DBCheck("database", db)}, prov.Checks...), syncChecks...)...),
		server.WithMetricsHandler(met.Handler()), server.WithDecisionObserver(met.ObserveDecision),
		server.WithChangeObserver(met.ObserveChange), server.WithAdmins(cfg.Admins...),
	)
	if err != nil {
		return nil, err
	}
	app.handler = srv.Handler()
	return app, nil
}

// seed writes the seed policy to an empty served policy, the admin role to
// an empty admin policy, and makes the configured admins members of it.
// Each change is audited.
func seed(ctx context.Context, cfg config.Config, app *serveApp, files serveFiles, log *audit.Log, logger *slog.Logger) error {
	if cfg.Seed != "" && policyadmin.Empty(app.policy) {
		if files.seedErr != nil {
			return files.seedErr
		}
		rules := files.seed
		if ok, err := policyadmin.Seed(ctx, app.policy, log, policyadmin.ScopePolicy, "system:seed", rules); err != nil {
			return fmt.Errorf("seed: %w", err)
		} else if ok {
			logger.Info("warden: seeded the empty policy", "file", cfg.Seed, "rules", len(rules))
		}
	}
	if _, err := policyadmin.Seed(ctx, app.admin, log, policyadmin.ScopeAdmin, "system:seed", policyadmin.AdminSeed); err != nil {
		return fmt.Errorf("seed admin policy: %w", err)
	}
	held := app.admin.Rules("g")
	for _, id := range cfg.Admins {
		r := enforcer.G(id, policyadmin.AdminRole)
		if slices.ContainsFunc(held, func(h enforcer.Rule) bool { return slices.Equal(h.Values, r.Values) }) {
			continue // audited when it was granted
		}
		if _, err := policyadmin.Apply(ctx, app.admin, log, policyadmin.Change{Scope: policyadmin.ScopeAdmin, Action: audit.ActionGrant,
			Rules: []enforcer.Rule{r}, Actor: "system:config", Source: "startup", Admins: cfg.Admins}); err != nil {
			return fmt.Errorf("admin %q: %w", id, err)
		}
	}
	return nil
}

// withSetupLock runs setup while holding a database-wide lock named by
// key, so that instances starting together create the tables and seed them
// one after the other instead of racing on DDL and unique keys: an advisory
// lock on PostgreSQL, GET_LOCK on MySQL/MariaDB, a file lock beside the
// database file on SQLite (lockSQLiteSetup; OpenDB's IMMEDIATE transactions
// serialise each transaction, not the whole setup). An in-memory SQLite
// database is one process's own and needs none.
func withSetupLock(ctx context.Context, db *gorm.DB, key string, setup func() error) error {
	switch db.Dialector.Name() {
	case "postgres":
		return db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
			if err := conn.Exec("SELECT pg_advisory_lock(hashtext(?))", key).Error; err != nil {
				return fmt.Errorf("setup lock: %w", err)
			}
			defer conn.Exec("SELECT pg_advisory_unlock(hashtext(?))", key)
			return setup()
		})
	case "mysql":
		name := mysqlLockName(key)
		return db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
			// GET_LOCK answers 1 when obtained, 0 on timeout, NULL on error.
			var got sql.NullInt64
			if err := conn.Raw("SELECT GET_LOCK(?, ?)", name, int(setupLockWait.Seconds())).Row().Scan(&got); err != nil {
				return fmt.Errorf("setup lock: %w", err)
			}
			if !got.Valid || got.Int64 != 1 {
				return fmt.Errorf("setup lock: another instance held %s for more than %s", name, setupLockWait)
			}
			defer conn.Exec("SELECT RELEASE_LOCK(?)", name)
			return setup()
		})
	case "sqlite":
		var file string
		if err := db.WithContext(ctx).Raw("SELECT file FROM pragma_database_list WHERE name = 'main'").Row().Scan(&file); err != nil {
			return fmt.Errorf("setup lock: %w", err)
		}
		if file == "" {
			return setup()
		}
		unlock, err := lockSQLiteSetup(ctx, file)
		if err != nil {
			return err
		}
		defer unlock()
		return setup()
	}
	return setup()
}

// setupLockWait bounds the wait for another instance's setup on MySQL and
// SQLite.
const setupLockWait = 2 * time.Minute

// mysqlLockName turns key into a GET_LOCK name, which MySQL limits to 64
// characters.
func mysqlLockName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "warden_setup:" + hex.EncodeToString(sum[:16])
}

// syncInstances keeps this instance in step with the store, one follower
// per policy: each reads the store's change log at once, on every hint of
// its watcher (PostgreSQL LISTEN/NOTIFY on the policy database, or Redis
// with --redis-watcher; on --channel and on it with "_admin" appended) and every
// --sync-interval whatever arrives. It returns the readiness checks: per
// policy, "sync_<scope>" (the instance is not staler than three intervals)
// and, with a watcher, "watcher_<scope>" (its subscription is up).
func syncInstances(ctx context.Context, cfg config.Config, app *serveApp, met *metrics.Metrics, logger *slog.Logger) ([]server.Check, error) {
	interval := cfg.EffectiveSyncInterval()
	scopes := []struct {
		name    string
		e       *enforcer.Enforcer
		channel string
	}{{policyadmin.ScopePolicy, app.policy, cfg.Channel}, {policyadmin.ScopeAdmin, app.admin, cfg.Channel + "_admin"}}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	app.closers = append(app.closers, func() { cancel(); wg.Wait() })
	var checks []server.Check
	for _, sc := range scopes {
		opts := []policysync.Option{policysync.WithInterval(interval), policysync.WithLogger(logger.With("scope", sc.name))}
		if cfg.RedisWatcher != "" || config.Dialect(cfg.DB) == "postgres" {
			// A silently dropped subscription is noticed within the interval
			// plus the timeout, and then reported by watcher_<scope>.
			w, err := newWatcher(ctx, cfg.DB, cfg.RedisWatcher, watcher.WithChannel(sc.channel), watcher.WithLogger(logger),
				watcher.WithObserver(met.WatcherObserver()), watcher.WithHealthInterval(interval),
				watcher.WithTimeout(max(interval, 2*time.Second)))
			if err != nil {
				return nil, err
			}
			app.closers = append(app.closers, w.Close)
			met.WatcherConnected(sc.channel, w.Connected)
			// The follower takes w's hints and makes the enforcer announce
			// this instance's changes through w.
			opts = append(opts, policysync.WithWatcher(w))
			f, err := policysync.New(sc.e, opts...)
			if err != nil {
				return nil, err
			}
			checks = append(checks, server.Check{Name: "watcher_" + sc.name, Check: f.Subscribed})
			checks = append(checks, follow(rctx, &wg, f, sc.name, met))
			continue
		}
		f, err := policysync.New(sc.e, opts...)
		if err != nil {
			return nil, err
		}
		checks = append(checks, follow(rctx, &wg, f, sc.name, met))
	}
	return checks, nil
}

// follow runs f until ctx ends and returns its readiness check.
func follow(ctx context.Context, wg *sync.WaitGroup, f *policysync.Follower, scope string, met *metrics.Metrics) server.Check {
	met.Sync(scope, f)
	wg.Go(func() { _ = f.Run(ctx) })
	return server.Check{Name: "sync_" + scope, Check: f.Ready}
}

// newWatcher connects the watcher of a deployment: Redis pub/sub when
// redisAddr is set, PostgreSQL LISTEN/NOTIFY on the policy database
// otherwise.
func newWatcher(ctx context.Context, dsn, redisAddr string, opts ...watcher.Option) (*watcher.Watcher, error) {
	if redisAddr != "" {
		return rediswatcher.New(ctx, redisAddr, opts...)
	}
	return pgwatcher.New(ctx, dsn, opts...)
}

func closeDB(db *gorm.DB) {
	if s, err := db.DB(); err == nil {
		_ = s.Close()
	}
}
