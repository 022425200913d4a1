package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/enforcer"
)

// ErrAudit is wrapped by Apply when the change was made but its audit
// entry could not be stored (it was logged through slog all the same).
var ErrAudit = errors.New("server: change applied but not audited")

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
}

// Result says what a Change did.
type Result struct {
	// Changed counts the rules added or removed; rules already in the
	// wanted state are not counted.
	Changed int
	// Before and After are those of the asked rules present just before
	// and just after the change; a concurrent change by another writer
	// can show in them.
	Before, After []enforcer.Rule
	// AuditID is the id of the audit entry.
	AuditID uint64
	// Announced is false when the change was stored and applied here but
	// the watcher could not tell the other instances
	// (enforcer.ErrNotAnnounced): Apply then reports success, since
	// retrying would change nothing, and the others catch up at their next
	// full reload (a watcher reconnection or --reload-interval).
	Announced bool
}

// Apply grants (audit.ActionGrant, audit.ActionSeed) or revokes
// (audit.ActionRevoke) c.Rules on e and records the attempt in log, failed
// or not. The error of the change is returned as is (it wraps
// enforcer.ErrInvalidRule for rules the model does not accept); when only
// the audit failed, the error wraps ErrAudit. A change that was stored but
// not announced is a success with Result.Announced false, audited with
// audit.NoteNotAnnounced. An admin-scope change that would leave no
// identity (a user, not a role; see Change.Admins) with warden:admin is
// refused with a *LockoutError (ErrLockout) before
// anything is changed or audited.
func Apply(ctx context.Context, e *enforcer.Enforcer, log *audit.Log, c Change) (Result, error) {
	if log == nil {
		return Result{}, errors.New("server: Apply without an audit log")
	}
	if c.Scope == ScopeAdmin && c.Action != audit.ActionSeed && len(c.Rules) > 0 {
		adminChanges.Lock()
		defer adminChanges.Unlock()
		if err := keepsAnAdmin(ctx, e, c.Action, c.Rules, c.Admins); err != nil {
			return Result{}, err
		}
	}
	var res Result
	res.Before = present(e, c.Rules)
	var err error
	switch c.Action {
	case audit.ActionGrant, audit.ActionSeed:
		res.Changed, err = e.AddRules(ctx, c.Rules...)
	case audit.ActionRevoke:
		res.Changed, err = e.RemoveRules(ctx, c.Rules...)
	default:
		return Result{}, fmt.Errorf("server: unknown action %q", c.Action)
	}
	res.After = present(e, c.Rules)
	res.Announced = true
	var note string
	if onlyNotAnnounced(err) {
		res.Announced, note, err = false, audit.NoteNotAnnounced+": "+err.Error(), nil
	}
	entry := audit.Entry{
		Actor: c.Actor, Action: c.Action, Scope: c.Scope,
		Rules: encode(c.Rules), Before: encode(res.Before), After: encode(res.After),
		Changed: res.Changed, Source: c.Source, RemoteAddr: c.RemoteAddr, RequestID: c.RequestID,
		Note: note,
	}
	if err != nil {
		entry.Error = err.Error()
	}
	// The audit entry is written even if the request's context ended: the
	// change may have reached the store.
	stored, aerr := log.Record(context.WithoutCancel(ctx), entry)
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
	if len(AllRules(e)) > 0 || len(rules) == 0 {
		return false, nil
	}
	_, err := Apply(ctx, e, log, Change{Scope: scope, Action: audit.ActionSeed, Rules: rules, Actor: actor, Source: "startup"})
	return err == nil, err
}

// present returns the rules of asked that e holds now.
func present(e *enforcer.Enforcer, asked []enforcer.Rule) []enforcer.Rule {
	held := map[string]map[string]bool{}
	var out []enforcer.Rule
	for _, r := range asked {
		set, ok := held[r.PType]
		if !ok {
			set = map[string]bool{}
			for _, h := range e.Rules(r.PType) {
				set[key(h.Values)] = true
			}
			held[r.PType] = set
		}
		if set[key(r.Values)] {
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
