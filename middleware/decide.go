package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/permission"
)

// Decide asks the decider whether u may do values, adding u's request-scoped
// groups (and permissions with WithPermissionPolicies). It logs the decision
// and returns nil only for an allow; otherwise an error wrapping
// ErrForbidden (denied, invalid permission) or ErrUnavailable (a provider or
// the decider failed). r supplies the context and the request id.
//
// A u that a did not identify (another Auth's caller, NewUser's) is first
// asked of a's role sources, as Authorize asks them (ErrRoleIdentity), and
// another Auth's caller is decided with a's providers (see Authorize); a
// nil u, or one without a token, is ErrUnauthenticated.
func (a *Auth) Decide(r *http.Request, u *User, values []any) (enforcer.Decision, error) {
	if !u.identified() {
		return enforcer.Decision{}, ErrUnauthenticated
	}
	st, _ := stateOf(r.Context())
	u, err := a.reuse(r, u)
	if err != nil {
		return enforcer.Decision{}, err
	}
	return a.decideFor(r, st, u, values)
}

// decideFor is Decide with the request's state (nil outside the pipeline).
func (a *Auth) decideFor(r *http.Request, st *state, u *User, values []any) (enforcer.Decision, error) {
	ctx := r.Context()
	if !a.logger.Enabled(ctx, slog.LevelWarn) { // nothing is logged: no latency to measure
		return a.decide(ctx, u, values)
	}
	start := time.Now()
	d, err := a.decide(ctx, u, values)
	a.logDecision(ctx, st, values, d, err, start)
	return d, err
}

func (a *Auth) decide(ctx context.Context, u *User, values []any) (enforcer.Decision, error) {
	if a.decider == nil {
		return enforcer.Decision{}, errors.Join(ErrForbidden, errors.New("middleware: Authorize without WithDecider"))
	}
	if len(values) == 0 {
		return enforcer.Decision{}, errors.Join(ErrForbidden, errors.New("middleware: mapper returned no values"))
	}
	req := enforcer.Request{Values: values, Definition: a.definition}
	groups, shared, err := u.groupList(ctx)
	if err != nil {
		return enforcer.Decision{}, errors.Join(ErrUnavailable, err)
	}
	if shared && !a.ownDecider {
		// Other requests read this list (it is kept with the cached
		// token): only Warden's enforcer, which never modifies
		// Request.Groups, is handed it; any other decider a copy.
		groups = slices.Clone(groups)
	}
	req.Groups = groups
	if a.permPolicies {
		perms, err := u.permissionList(ctx)
		if err != nil {
			return enforcer.Decision{}, errors.Join(ErrUnavailable, err)
		}
		subject, ok := values[0].(string)
		if !ok {
			subject = u.ID()
		}
		if req.Policies, err = permission.Policies(subject, perms); err != nil {
			return enforcer.Decision{}, errors.Join(ErrForbidden, err)
		}
	}
	d, err := safeDecide(ctx, a.decider, req)
	switch {
	case errors.Is(err, enforcer.ErrInvalidRequest), errors.Is(err, enforcer.ErrInvalidRule),
		errors.Is(err, enforcer.ErrUnsupported), errors.Is(err, enforcer.ErrEvaluation):
		// A request the model cannot decide will not decide later either:
		// 403, not a 503 that invites retries.
		return enforcer.Decision{}, errors.Join(ErrForbidden, err)
	case err != nil:
		return enforcer.Decision{}, errors.Join(ErrUnavailable, err)
	case !d.Allowed:
		return d, ErrForbidden
	}
	return d, nil
}

// errDeciderPanic stands for a decider that panicked: an unknown result,
// which must be refused (503), never an allow or a dropped connection.
var errDeciderPanic = errors.New("middleware: decider panicked")

// safeDecide asks d, a panic being errDeciderPanic: the decider may be the
// application's code (the enforcer itself never panics).
func safeDecide(ctx context.Context, d enforcer.Decider, req enforcer.Request) (dec enforcer.Decision, err error) {
	defer func() {
		if recover() != nil {
			dec, err = enforcer.Decision{}, errDeciderPanic
		}
	}()
	return d.Decide(ctx, req)
}

// logDecision records one decision, begun at start. It never logs the
// token: only the request values, whose subject is the identity.
func (a *Auth) logDecision(ctx context.Context, st *state, values []any, d enforcer.Decision, err error, start time.Time) {
	// The end's wall time is the start's plus the monotonic time
	// elapsed: one clock read instead of two (time.Now reads both clocks).
	latency := time.Since(start)
	end := start.Add(latency)
	rec := decisionRecord{level: slog.LevelInfo, result: "allow"}
	switch {
	case errors.Is(err, ErrUnavailable):
		rec.result, rec.level = "error", slog.LevelWarn
	case err != nil:
		rec.result = "deny"
	}
	if !a.logger.Enabled(ctx, rec.level) || rec.level < slog.LevelWarn && !a.decisionLog.take() {
		return
	}
	if st != nil {
		rec.requestID = st.requestID()
	}
	rec.subject, rec.object, rec.action = valueAt(values, 0), valueAt(values, 1), valueAt(values, 2)
	rec.effect, rec.rule, rec.latency = d.Effect.String(), d.Rule, latency
	if err != nil && err != ErrForbidden { //nolint:errorlint // a plain denial has no cause to log
		rec.err, rec.hasErr = err.Error(), true
	}
	if a.directLog != nil && a.writeDirect(end, &rec) {
		return
	}
	a.logger.LogAttrs(ctx, rec.level, decisionMsg, rec.attrs()...)
}

// writeDirect writes rec through the direct writer; a writer beneath it
// that panics loses the line (see recoveringHandler), which counts as
// written: slog's handler would write to the same writer.
func (a *Auth) writeDirect(end time.Time, rec *decisionRecord) (done bool) {
	defer func() {
		if recover() != nil {
			done = true
		}
	}()
	return a.directLog.writeDecision(end, rec)
}

func valueAt(values []any, i int) string {
	if i >= len(values) {
		return ""
	}
	if s, ok := values[i].(string); ok {
		return s
	}
	return fmt.Sprint(values[i])
}
