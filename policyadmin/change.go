package policyadmin

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"gorm.io/gorm"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/enforcer"
)

// ErrAudit is wrapped by Apply when the change was made but its audit
// entry could not be stored (it was logged through slog all the same). It
// happens only on an enforcer whose adapter has no change log: on a
// rulelog store the audit row is part of the change's transaction, and a
// failed audit insert fails the change (the error wraps audit.ErrWrite).
var ErrAudit = errors.New("policyadmin: change applied but not audited")

// Change is one grant or revoke, with who asked and from where.
type Change struct {
	Scope  string // ScopePolicy or ScopeAdmin
	Action string // audit.ActionGrant, audit.ActionRevoke or audit.ActionSeed
	Rules  []enforcer.Rule

	Actor      string
	Source     string // "api" or "cli"
	RemoteAddr string
	RequestID  string

	// Admins are identities configured as administrators (warden serve
	// --admin): the lockout guard counts them as users even where the
	// policy also grants them as roles.
	Admins []string

	// RefusedIdentity, when set, reports whether callers cannot
	// authenticate as an identity (the API passes the middleware's
	// middleware.Auth.IsRoleIdentity: a name that is a role of the served
	// policy is refused as a token's subject). The lockout guard never
	// counts such an identity, even one of Admins, as an administrator.
	RefusedIdentity func(ctx context.Context, id string) (bool, error)

	// AdminPolicy, on a ScopePolicy grant, is the admin policy whose
	// administrators the change must not lock out: a g rule granted in the
	// served policy makes its role's name a role there, which the
	// middleware then refuses as a token's subject, so "g, mallory, root"
	// took warden:admin from root, the only administrator. On rulelog
	// stores it is judged again inside the grant's transaction, which
	// takes the admin policy's head lock: both stores must be on the same
	// database handle (the change fails otherwise). Nil when the
	// middleware does not refuse the served policy's roles.
	AdminPolicy *enforcer.Enforcer

	// ServedPolicy, on a ScopeAdmin change, is the served policy whose
	// roles the middleware refuses as a token's subject: the guard never
	// counts one of its roles as an administrator. On rulelog stores it
	// reads them inside the change's transaction, so that a role granted
	// there by another process is seen (see the package doc): both stores
	// must be on the same database handle (the change fails otherwise).
	// Nil when the middleware does not refuse the served policy's roles.
	ServedPolicy *enforcer.Enforcer
}

// Result says what a Change did.
type Result struct {
	// Changed counts the rules the store added or removed; rules already
	// in the wanted state are not counted.
	Changed int
	// Before and After are those of the asked rules present just before
	// and just after the change. On a rulelog store they are what the
	// store's own write found, inside its transaction.
	Before, After []enforcer.Rule
	// AuditID is the id of the audit entry.
	AuditID uint64
	// NotAnnounced, on an adapter without a change log only, says that
	// the change is stored and in force here but the watcher could not
	// announce it (audited with audit.NoteNotAnnounced); Apply then
	// returns no error.
	NotAnnounced bool
}

// adminLocks holds one mutex per admin policy's enforcer: it serialises
// the changes of this process that the lockout guard judges on that
// policy, so that two revokes checked at once in memory cannot together
// remove the last administrator. Across processes the guard's check inside
// the store's transaction does it (see the package doc).
var adminLocks sync.Map // *enforcer.Enforcer → *sync.Mutex

// lockAdmin locks the changes judged on admin and returns the unlock.
func lockAdmin(admin *enforcer.Enforcer) (unlock func()) {
	mu, _ := adminLocks.LoadOrStore(admin, new(sync.Mutex))
	mu.(*sync.Mutex).Lock()
	return mu.(*sync.Mutex).Unlock
}

// Apply grants (audit.ActionGrant, audit.ActionSeed) or revokes
// (audit.ActionRevoke) c.Rules on e and records it in log.
//
// On an enforcer whose adapter is a rulelog store (as OpenEnforcer opens),
// the rule rows, the change log row and the audit row commit in one
// transaction: an error means none of them is stored and the change is in
// force nowhere, unless it wraps enforcer.ErrOutcomeUnknown (the store could
// not be asked whether a commit whose answer was lost happened; the store
// finds out before its next change). A failed change is then recorded as
// failed, best effort, in a write of its own. There is no "stored but not
// announced": the other instances read the log.
//
// On other adapters the change is stored and applied, then audited in a
// write of its own: when only the audit failed, the error wraps ErrAudit;
// a change stored but not announced is a success audited with
// audit.NoteNotAnnounced (Result.NotAnnounced).
//
// The error of the change is returned as is (it wraps
// enforcer.ErrInvalidRule for rules the model does not accept). An
// admin-scope change that would leave no identity (a user, not a role; see
// Change.Admins) with warden:admin is refused with a *LockoutError
// (ErrLockout), and neither changed nor audited: on a rulelog store the
// guard runs again inside the write's transaction, on the rules the store
// holds, so that changes from several instances cannot together pass it.
// A Change whose Scope is neither ScopePolicy nor ScopeAdmin is refused
// before anything is written: the scope chooses the guard.
func Apply(ctx context.Context, e *enforcer.Enforcer, log *audit.Log, c Change) (Result, error) {
	if log == nil {
		return Result{}, errors.New("policyadmin: Apply without an audit log")
	}
	var change func(context.Context, ...enforcer.Rule) (int, error)
	switch c.Action {
	case audit.ActionGrant, audit.ActionSeed:
		change = e.AddRules
	case audit.ActionRevoke:
		change = e.RemoveRules
	default:
		return Result{}, fmt.Errorf("policyadmin: unknown action %q", c.Action)
	}
	if c.Scope != ScopePolicy && c.Scope != ScopeAdmin {
		// The scope says which guard runs: a misspelt one on the admin
		// policy would skip the lockout guard.
		return Result{}, fmt.Errorf("policyadmin: unknown scope %q (want %s or %s)", c.Scope, ScopePolicy, ScopeAdmin)
	}
	logged := e.SyncStatus().Logged
	var inTx func(context.Context, rulelog.Write) error
	if c.Scope == ScopeAdmin && c.Action != audit.ActionSeed && len(c.Rules) > 0 {
		defer lockAdmin(e)()
		if logged {
			// Judge the lockout on the store's latest policy, not on a
			// memory that may lag it.
			if err := e.CatchUp(ctx); err != nil {
				return Result{}, err
			}
		}
		if err := keepsAnAdmin(ctx, e, AllRules(e), c, memoryRoles(c.ServedPolicy)); err != nil {
			return Result{}, err
		}
		inTx = func(ctx context.Context, w rulelog.Write) error { return keepsAnAdminInTx(ctx, e, w, c) }
	}
	if c.Scope == ScopePolicy && c.AdminPolicy != nil && c.Action == audit.ActionGrant {
		defer lockAdmin(c.AdminPolicy)()
		if err := keepsAdminIdentities(ctx, c.AdminPolicy, c, e); err != nil {
			return Result{}, err
		}
		inTx = func(ctx context.Context, w rulelog.Write) error { return keepsAdminIdentitiesInTx(ctx, w, c) }
	}
	if h := hooksFrom(ctx); h.beforeWrite != nil {
		h.beforeWrite()
	}
	if logged {
		return applyLogged(ctx, log, c, change, inTx)
	}
	return applyThenAudit(ctx, e, log, c, change)
}

// applyLogged writes the change and its audit row in one transaction of
// the rulelog store, after guard (when not nil) has passed inside it.
func applyLogged(ctx context.Context, log *audit.Log, c Change, change func(context.Context, ...enforcer.Rule) (int, error),
	guard func(context.Context, rulelog.Write) error) (Result, error) {
	var res Result
	var entry audit.Entry
	called := false
	tctx := rulelog.WithTxFunc(ctx, func(ctx context.Context, tx *gorm.DB, w rulelog.Write) error {
		called = true
		if guard != nil {
			if err := guard(ctx, w); err != nil {
				return err
			}
		}
		if h := hooksFrom(ctx); h.inTx != nil {
			h.inTx()
		}
		res = Result{Changed: len(w.Changed)}
		res.Before, res.After = beforeAfter(c.Action, c.Rules, w.Changed)
		var err error
		if entry, err = log.RecordTx(ctx, tx, entryOf(c, res, nil, "")); err != nil {
			return err
		}
		res.AuditID = entry.ID
		return nil
	})
	n, err := change(tctx, c.Rules...)
	if err != nil {
		if !errors.Is(err, enforcer.ErrOutcomeUnknown) && !errors.Is(err, enforcer.ErrInvalidRule) && !errors.Is(err, ErrLockout) {
			// Not stored: record the failed attempt, best effort (the
			// store may be down; the slog line is written regardless). A
			// lockout is refused unaudited, as the check before the
			// write refuses it.
			_, _ = log.Record(context.WithoutCancel(ctx), entryOf(c, Result{}, err, ""))
		}
		return Result{}, err
	}
	if called {
		// Committed: now the chain head may be logged.
		log.Committed(ctx, entry)
	}
	if !called {
		// A change log that does not run TxFuncs: audit on our own. The
		// guard ran on memory only.
		res = Result{Changed: n}
		stored, aerr := log.Record(context.WithoutCancel(ctx), entryOf(c, res, nil, ""))
		res.AuditID = stored.ID
		if aerr != nil {
			return res, fmt.Errorf("%w: %w", ErrAudit, aerr)
		}
	}
	return res, nil
}

// beforeAfter derives, from what the store changed, which asked rules were
// present before and after: an added rule the store did not insert was
// there already, a removed rule it did not delete was not there.
func beforeAfter(action string, asked, changed []enforcer.Rule) (before, after []enforcer.Rule) {
	did := map[string]bool{}
	for _, r := range changed {
		did[r.PType+"\x00"+key(r.Values)] = true
	}
	for _, r := range asked {
		hit := did[r.PType+"\x00"+key(r.Values)]
		if action == audit.ActionRevoke {
			if hit {
				before = append(before, r)
			}
			continue
		}
		if !hit {
			before = append(before, r)
		}
		after = append(after, r)
	}
	return before, after
}

func entryOf(c Change, res Result, err error, note string) audit.Entry {
	e := audit.Entry{
		Actor: c.Actor, Action: c.Action, Scope: c.Scope,
		Rules: encode(c.Rules), Before: encode(res.Before), After: encode(res.After),
		Changed: res.Changed, Source: c.Source, RemoteAddr: c.RemoteAddr, RequestID: c.RequestID,
		Note: note,
	}
	if err != nil {
		e.Error = err.Error()
	}
	return e
}

// applyThenAudit is Apply on an adapter without a change log: the change,
// then its audit entry in a write of its own.
func applyThenAudit(ctx context.Context, e *enforcer.Enforcer, log *audit.Log, c Change, change func(context.Context, ...enforcer.Rule) (int, error)) (Result, error) {
	var res Result
	res.Before = present(e, c.Rules)
	var err error
	res.Changed, err = change(ctx, c.Rules...)
	res.After = present(e, c.Rules)
	var note string
	if onlyNotAnnounced(err) {
		res.NotAnnounced, note, err = true, audit.NoteNotAnnounced+": "+err.Error(), nil
	}
	// The audit entry is written even if the request's context ended: the
	// change may have reached the store.
	stored, aerr := log.Record(context.WithoutCancel(ctx), entryOf(c, res, err, note))
	res.AuditID = stored.ID
	if err != nil {
		return res, err
	}
	if aerr != nil {
		return res, fmt.Errorf("%w: %w", ErrAudit, aerr)
	}
	return res, nil
}

// onlyNotAnnounced reports whether err says that the change was stored and
// applied but not announced, and nothing else: a change that also failed to
// be stored in part (the enforcer joins both errors) is a failure.
func onlyNotAnnounced(err error) bool {
	if !errors.Is(err, enforcer.ErrNotAnnounced) {
		return false
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !errors.Is(e, enforcer.ErrNotAnnounced) {
				return false
			}
		}
	}
	return true
}

// Seed grants rules on e when e's policy is empty, audited as
// audit.ActionSeed by actor. It reports whether it seeded.
func Seed(ctx context.Context, e *enforcer.Enforcer, log *audit.Log, scope, actor string, rules []enforcer.Rule) (bool, error) {
	if !Empty(e) || len(rules) == 0 {
		return false, nil
	}
	_, err := Apply(ctx, e, log, Change{Scope: scope, Action: audit.ActionSeed, Rules: rules, Actor: actor, Source: "startup"})
	return err == nil, err
}

// Empty reports whether e's policy holds no rule, without copying it.
func Empty(e *enforcer.Enforcer) bool {
	for _, pt := range enforcer.PTypes(e.Model()) {
		if e.Len(pt) > 0 {
			return false
		}
	}
	return true
}

// present returns the rules of asked that e holds now, asking e about
// each rather than copying the policy.
func present(e *enforcer.Enforcer, asked []enforcer.Rule) []enforcer.Rule {
	var out []enforcer.Rule
	for _, r := range asked {
		if e.Has(r.PType, r.Values) {
			out = append(out, r)
		}
	}
	return out
}

func key(values []string) string {
	n := 0
	for _, v := range values {
		n += len(v) + 1
	}
	b := make([]byte, 0, n)
	for _, v := range values {
		b = append(b, v...)
		b = append(b, 0)
	}
	return string(b)
}

func encode(rules []enforcer.Rule) string {
	out := make([][]string, len(rules))
	for i, r := range rules {
		out[i] = append([]string{r.PType}, r.Values...)
	}
	return audit.EncodeRules(out)
}

// hooks are the test's synchronisation points in Apply, set through the
// context by this package's tests only.
type hooks struct {
	beforeWrite func() // the checks on memory passed; the write starts
	inTx        func() // inside the write's transaction, its guard passed
}

type hooksKey struct{}

func hooksFrom(ctx context.Context) hooks {
	h, _ := ctx.Value(hooksKey{}).(hooks)
	return h
}
