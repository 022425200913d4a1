package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"slices"

	"github.com/casbin/casbin/v2/model"
	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/csvfile"
	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/policyadmin"
	"github.com/wardenhq/warden/server"
	"github.com/wardenhq/warden/watcher"
)

// adminFlags are the flags of grant, revoke, list, audit and audit verify;
// each defaults to its WARDEN_* variable, as for serve. channel and
// redisWatcher are flags of grant and revoke only (registerAnnounceFlags):
// the read-only commands announce nothing. model and scope are not flags
// of audit and audit verify, which read no policy (registerDBFlags).
type adminFlags struct {
	db, model, scope, prefix, channel, redisWatcher string
}

// registerDBFlags adds the flags of every admin command: the database
// and its tables. audit and audit verify, which read only the audit log,
// have these alone.
func registerDBFlags(fs *flagSet, f *adminFlags) {
	fs.StringVar(&f.db, "db", "", "database: sqlite://PATH, postgres://... or mysql://user:pass@host:port/db (required)")
	fs.StringVar(&f.prefix, "table-prefix", "", "`prefix` of the tables")
	for _, name := range []string{"db", "table-prefix"} {
		fs.fromEnv(name, config.EnvName(name))
	}
}

// registerAdminFlags adds the flags of grant, revoke and list: the
// database's flags, and which policy, read with which model.
func registerAdminFlags(fs *flagSet, f *adminFlags) {
	registerDBFlags(fs, f)
	fs.StringVar(&f.model, "model", config.Defaults().Model, modelUsage("Casbin model of the served policy"))
	fs.StringVar(&f.scope, "scope", policyadmin.ScopePolicy, "policy: policy (the served one) or admin (who may manage Warden)")
	fs.fromEnv("model", config.EnvName("model"))
}

// registerAnnounceFlags adds the flags of grant and revoke that say where
// a change is announced to the running servers (openAdmin with announce).
func registerAnnounceFlags(fs *flagSet, f *adminFlags) {
	fs.StringVar(&f.channel, "channel", config.Defaults().Channel, "NOTIFY or Redis `channel` of the running servers")
	fs.StringVar(&f.redisWatcher, "redis-watcher", "", "Redis `address` the running servers sync through")
	for _, name := range []string{"channel", "redis-watcher"} {
		fs.fromEnv(name, config.EnvName(name))
	}
}

// adminStore is an opened policy for the admin commands.
type adminStore struct {
	e *enforcer.Enforcer
	// other is the other policy of the deployment (the admin policy for
	// a change of the served one, and the other way round), on the same
	// database handle; nil when its table does not exist yet.
	other   *enforcer.Enforcer
	log     *audit.Log
	close   func()
	scope   string
	channel string
	// note, when not empty, says that --model fell back to the embedded
	// default (on a database that held no policy yet, or it is refused).
	note string
}

// openAdmin opens the policy of f.scope. Changes are announced to the
// running servers, so that they read the log at once: on PostgreSQL by the
// store inside the change's transaction, with --redis-watcher by the
// scope's watcher after the commit. The servers also poll the log.
func openAdmin(ctx context.Context, f adminFlags, announce bool, logger *slog.Logger) (*adminStore, error) {
	if f.db == "" {
		return nil, errors.New("--db is required (or WARDEN_DB)")
	}
	tables := policyadmin.TablesWithPrefix(f.prefix)
	var (
		m       model.Model
		table   string
		channel string
		// fallback: --model fell back to the embedded default
		fallback bool
		note     string
		err      error
	)
	switch f.scope {
	case policyadmin.ScopePolicy:
		var cm chosenModel
		cm, err = loadModel(f.model)
		m, fallback, note = cm.m, cm.note != "", cm.note
		table, channel = tables.Policy, f.channel
	case policyadmin.ScopeAdmin:
		m, err = models.Load(models.Permissions)
		table, channel = tables.Admin, f.channel+"_admin"
	default:
		return nil, fmt.Errorf("--scope must be %s or %s, not %q", policyadmin.ScopePolicy, policyadmin.ScopeAdmin, f.scope)
	}
	if err != nil {
		return nil, err
	}
	db, err := config.OpenDB(f.db)
	if err != nil {
		return nil, err
	}
	st := &adminStore{scope: f.scope, channel: channel, note: note, close: func() { closeDB(db) }}
	fail := func(err error) (*adminStore, error) { st.close(); return nil, err }
	if err := refuseFallbackModel(ctx, db, table, fallback); err != nil {
		return fail(err)
	}
	if st.e, err = policyadmin.OpenEnforcer(ctx, db, m, table, logger, storeOptions(f.db, f.redisWatcher, channel, "cli-"+newInstanceID())...); err != nil {
		return fail(err)
	}
	if st.other, err = openOther(ctx, db, f, logger); err != nil {
		return fail(err)
	}
	if st.log, err = audit.New(ctx, db, audit.WithTable(tables.Audit), audit.WithLogger(logger)); err != nil {
		return fail(err)
	}
	// On PostgreSQL without Redis the store announces inside the
	// transaction (storeOptions); with Redis the enforcer hints after it.
	if announce && f.redisWatcher != "" {
		w, err := newWatcher(ctx, f.db, f.redisWatcher, watcher.WithChannel(channel), watcher.WithLogger(logger))
		if err != nil {
			return fail(err)
		}
		closeDBOnly := st.close
		st.close = func() { w.Close(); closeDBOnly() }
		// A CLI command announces its change and follows nothing.
		if err := st.e.AnnounceThrough(w); err != nil {
			return fail(err)
		}
	}
	return st, nil
}

// openOther opens, on db, the policy of the deployment that f.scope does
// not name, for the lockout guard: warden serve refuses as a token's
// subject every role of both policies, so a grant in the served policy can
// take warden:admin from the last administrator (g, mallory, root makes
// root a role), and an admin change must not count a role of the served
// policy as an administrator. It creates nothing: a table that does not
// exist is no policy (nil). The served policy is read with --model; one
// that does not fit it is an error, since its roles could not be known.
func openOther(ctx context.Context, db *gorm.DB, f adminFlags, logger *slog.Logger) (*enforcer.Enforcer, error) {
	tables := policyadmin.TablesWithPrefix(f.prefix)
	table, what := tables.Admin, "the admin policy"
	var m model.Model
	var err error
	if f.scope == policyadmin.ScopeAdmin {
		table, what = tables.Policy, "the served policy"
		var cm chosenModel
		cm, err = loadModel(f.model)
		m = cm.m
	} else {
		m, err = models.Load(models.Permissions)
	}
	if err != nil {
		return nil, err
	}
	if !db.WithContext(ctx).Migrator().HasTable(table) {
		return nil, nil
	}
	st, err := rulelog.Open(db, rulelog.WithTable(table), rulelog.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	e, err := enforcer.New(ctx, m, st, enforcer.WithLogger(logger))
	if err != nil {
		hint := ""
		if f.scope == policyadmin.ScopeAdmin {
			hint = " (pass the served policy's model with --model or WARDEN_MODEL)"
		}
		return nil, fmt.Errorf("read %s, which the lockout guard judges this change on%s: %w", what, hint, err)
	}
	return e, nil
}

// guarded adds to c what the lockout guard needs to judge it as warden
// serve's API does: the middleware's refusal of role names as subjects
// (both policies' roles and warden-admin) and the other policy.
func (st *adminStore) guarded(c policyadmin.Change) policyadmin.Change {
	served, admin := st.e, st.other
	if st.scope == policyadmin.ScopeAdmin {
		served, admin = st.other, st.e
		c.ServedPolicy = served
	} else {
		c.AdminPolicy = admin
	}
	c.RefusedIdentity = func(ctx context.Context, id string) (bool, error) {
		if id == policyadmin.AdminRole {
			return true, nil
		}
		for _, e := range []*enforcer.Enforcer{served, admin} {
			if e == nil {
				continue
			}
			if is, err := e.IsRole(ctx, id); err != nil || is {
				return is, err
			}
		}
		return false, nil
	}
	return c
}

// osActor names the person at the terminal for the audit log.
func osActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "os:" + u.Username
	}
	if n := os.Getenv("USER"); n != "" {
		return "os:" + n
	}
	return "os:unknown"
}

func runGrant(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runChange(ctx, "grant", audit.ActionGrant, args, stdout, stderr)
}

func runRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runChange(ctx, "revoke", audit.ActionRevoke, args, stdout, stderr)
}

// runChange grants or revokes one rule given as PTYPE VALUE..., audited
// with the OS user as actor ("os:USER", source "cli"):
//
//	warden grant  --db DSN [--model FILE] [--scope policy|admin] [--table-prefix P] [--channel C] [--redis-watcher ADDR] PTYPE VALUE...
//	warden revoke --db DSN [--model FILE] [--scope policy|admin] [--table-prefix P] [--channel C] [--redis-watcher ADDR] PTYPE VALUE...
//
// For example `warden grant --db sqlite://warden.db g alice editor`, or
// `warden grant --db "$DSN" --scope admin g alice warden-admin` to let alice
// manage Warden. The rule, its change log row and its audit row commit in
// one transaction. The change is announced on --channel (through
// --redis-watcher, or PostgreSQL NOTIFY sent inside the transaction), so
// running servers read it from the log at once; an announcement that is
// lost only delays them until their next poll of the log. When the answer
// to COMMIT is lost and the database cannot be asked whether it committed,
// the command says so and exits non-zero.
func runChange(ctx context.Context, cmd, action string, args []string, stdout, stderr io.Writer) int {
	var f adminFlags
	fs := newFlagSet(cmd, "--db DSN [--scope policy|admin] PTYPE VALUE...", stdout, stderr)
	registerAdminFlags(fs, &f)
	registerAnnounceFlags(fs, &f)
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	stderr = maskDSNs(stderr, f.db)
	if len(pos) < 2 {
		return errorf(stderr, cmd, "give a rule as PTYPE VALUE..., e.g. %s g alice editor", cmd)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := openAdmin(ctx, f, true, logger)
	if err != nil {
		return errorf(stderr, cmd, "%v", err)
	}
	defer st.close()
	if st.note != "" {
		// The first rules of this database are written under the
		// embedded default model: later commands must use it too.
		fmt.Fprintf(stderr, "warden %s: %s\n", cmd, st.note)
	}
	rule := enforcer.Rule{PType: pos[0], Values: pos[1:]}
	// The API's checks, so that the command line cannot store what the API
	// would refuse (a value with surrounding space, an eft of "maybe").
	if err := server.ValidateRules(st.e, st.scope, []enforcer.Rule{rule}); err != nil {
		return errorf(stderr, cmd, "invalid rule %q: %v", rule.String(), err)
	}
	res, err := policyadmin.Apply(ctx, st.e, st.log, st.guarded(policyadmin.Change{Scope: st.scope, Action: action,
		Rules: []enforcer.Rule{rule}, Actor: osActor(), Source: "cli"}))
	if errors.Is(err, enforcer.ErrOutcomeUnknown) {
		return errorf(stderr, cmd, "the database did not confirm the change and could not be asked whether it is stored; "+
			"check with `warden list` before running it again: %v", err)
	}
	if err != nil {
		return errorf(stderr, cmd, "%v", err)
	}
	verb := map[string]string{audit.ActionGrant: "granted", audit.ActionRevoke: "revoked"}[action]
	if res.Changed == 0 {
		verb = map[string]string{audit.ActionGrant: "already present", audit.ActionRevoke: "not present"}[action]
	}
	fmt.Fprintf(stdout, "%s: %s (audit #%d)\n", verb, rule, res.AuditID)
	return exitOK
}

// runList prints the rules of a policy as policy.csv lines, or JSON:
//
//	warden list --db DSN [--model FILE] [--scope policy|admin] [--ptype PTYPE] [--json]
func runList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f adminFlags
	fs := newFlagSet("list", "--db DSN [--scope policy|admin] [--ptype PTYPE] [--json]", stdout, stderr)
	registerAdminFlags(fs, &f)
	ptype := fs.String("ptype", "", "list only this `ptype` (p, g, ...); all when empty")
	asJSON := fs.Bool("json", false, "print a JSON array of {ptype, values}")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	stderr = maskDSNs(stderr, f.db)
	if len(pos) > 0 {
		return errorf(stderr, "list", "unexpected arguments %q", pos)
	}
	// Read-only: it creates no table and migrates nothing (readonly.go).
	st, err := openPolicyReader(ctx, f)
	if err != nil {
		return errorf(stderr, "list", "%v", err)
	}
	defer st.close()
	var rules []enforcer.Rule
	if st.e == nil {
		fmt.Fprintf(stderr, "warden list: the database has no table %s: no policy is stored there yet\n", st.table)
	} else {
		rules = policyadmin.AllRules(st.e)
	}
	if *ptype != "" && st.e != nil {
		if !slices.Contains(enforcer.PTypes(st.e.Model()), *ptype) {
			return errorf(stderr, "list", "ptype %q is not defined by the model", *ptype)
		}
		rules = st.e.Rules(*ptype)
	}
	if *asJSON {
		type rj struct {
			PType  string   `json:"ptype"`
			Values []string `json:"values"`
		}
		out := make([]rj, len(rules))
		for i, r := range rules {
			out[i] = rj{r.PType, r.Values}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return errorf(stderr, "list", "%v", err)
		}
		return exitOK
	}
	lines := make([]csvfile.Line, len(rules))
	for i, r := range rules {
		lines[i] = csvfile.Line{PType: r.PType, Values: r.Values}
	}
	if err := csvfile.Write(stdout, lines); err != nil {
		return errorf(stderr, "list", "%v", err)
	}
	return exitOK
}

// runAuditLog prints the audit log as JSON lines, oldest first:
//
//	warden audit --db DSN [--table-prefix P] [--actor ID] [--after-id N] [--limit 100]
func runAuditLog(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "verify" {
		return runAuditVerify(ctx, args[1:], stdout, stderr)
	}
	var f adminFlags
	fs := newFlagSet("audit", "--db DSN [--actor ID] [--after-id N] [--limit N]", stdout, stderr)
	registerDBFlags(fs, &f)
	actor := fs.String("actor", "", "only the changes of this `identity` (os:USER for the command line)")
	after := fs.Uint64("after-id", 0, "only entries after this `id`, for paging")
	limit := fs.Int("limit", 100, "at most this many entries")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	stderr = maskDSNs(stderr, f.db)
	switch {
	case len(pos) > 0:
		return errorf(stderr, "audit", "unexpected arguments %q", pos)
	case f.db == "":
		return errorf(stderr, "audit", "--db is required (or WARDEN_DB)")
	case *limit <= 0:
		return errorf(stderr, "audit", "--limit must be positive")
	}
	// Read-only: it creates no table and migrates nothing (readonly.go).
	db, err := openExistingDB(f.db)
	if err != nil {
		return errorf(stderr, "audit", "%v", err)
	}
	defer closeDB(db)
	l, err := audit.Open(db, audit.WithTable(policyadmin.TablesWithPrefix(f.prefix).Audit),
		audit.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		return errorf(stderr, "audit", "%v", err)
	}
	if !db.WithContext(ctx).Migrator().HasTable(l.Table()) {
		fmt.Fprintf(stderr, "warden audit: the database has no table %s: no change was audited there yet\n", l.Table())
		return exitOK
	}
	entries, err := l.List(ctx, audit.Query{Actor: *actor, AfterID: *after, Limit: *limit})
	if err != nil {
		return errorf(stderr, "audit", "%v", err)
	}
	enc := json.NewEncoder(stdout)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return errorf(stderr, "audit", "%v", err)
		}
	}
	return exitOK
}

// runAuditVerify checks the audit log's hash chain without changing the
// database:
//
//	warden audit verify --db DSN [--table-prefix P] [--tolerance 1m]
//
// It prints "ok" with the entry count and the chain head (exit 0), or the
// first missing, altered, reordered, forged or back-dated entry (exit 1).
// A database it cannot read is exit 2.
func runAuditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f adminFlags
	fs := newFlagSet("audit verify", "--db DSN [--table-prefix P] [--tolerance D]", stdout, stderr)
	registerDBFlags(fs, &f)
	tolerance := fs.Duration("tolerance", audit.DefaultTolerance, "how far an entry's time may go back from its predecessor's before it counts as back-dated")
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	stderr = maskDSNs(stderr, f.db)
	switch {
	case len(pos) > 0:
		return errorf(stderr, "audit verify", "unexpected arguments %q", pos)
	case f.db == "":
		return errorf(stderr, "audit verify", "--db is required (or WARDEN_DB)")
	case *tolerance <= 0:
		return errorf(stderr, "audit verify", "--tolerance must be positive")
	}
	db, err := openExistingDB(f.db)
	if err != nil {
		return errorf(stderr, "audit verify", "%v", err)
	}
	defer closeDB(db)
	l, err := audit.Open(db, audit.WithTable(policyadmin.TablesWithPrefix(f.prefix).Audit))
	if err != nil {
		return errorf(stderr, "audit verify", "%v", err)
	}
	rep, err := l.Verify(ctx, audit.VerifyOptions{Tolerance: *tolerance})
	if errors.Is(err, audit.ErrTampered) {
		fmt.Fprintf(stdout, "FAIL %s: %v\n", l.Table(), err)
		return exitFail
	}
	if err != nil {
		return errorf(stderr, "audit verify", "%v", err)
	}
	fmt.Fprintf(stdout, "ok %s: %d entries, head seq %d hash %s", l.Table(), rep.Entries, rep.Head.Seq, rep.Head.Hash)
	if rep.Unchained > 0 {
		fmt.Fprintf(stdout, " (%d older rows from before the chain, not verifiable)", rep.Unchained)
	}
	fmt.Fprintln(stdout)
	return exitOK
}
