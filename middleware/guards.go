package middleware

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/wardenhq/warden/permission"
)

// A Check decides one guard for an authenticated user. It returns nil to
// allow, or an error wrapping ErrForbidden or ErrUnavailable.
type Check func(ctx context.Context, u *User) error

// Guard is middleware for a single route that runs check. It needs an
// authenticated user (Authenticate or Authorize earlier in the chain);
// without one it answers 401. A passing guard marks the request checked.
// Its refusals are answered by a's error handler and its decisions logged
// through a's logger, under name.
func (a *Auth) Guard(name string, check Check) func(http.Handler) http.Handler {
	if a == nil {
		panic("middleware: Guard on a nil *Auth")
	}
	return (&step{a: a, kind: stepGuard, name: name, check: check}).middleware
}

// runGuard runs check and logs its decision. A path that CheckPath refuses
// is refused before check runs: the guard does not read the path, but the
// handler behind it does.
func (a *Auth) runGuard(r *http.Request, st *state, name string, u *User, check Check) error {
	start := time.Now()
	err := pathCheck(r)
	if err == nil {
		err = safeCheck(r.Context(), u, check)
	}
	a.logGuard(r, st, name, u, err, time.Since(start))
	return err
}

// errCheckPanic stands for a guard check that panicked: an unknown result,
// which must deny (503, as a panicking provider), never drop the
// connection or reach the handler.
var errCheckPanic = errors.Join(ErrUnavailable, errors.New("middleware: guard check panicked"))

// safeCheck runs check, a panic being errCheckPanic.
func safeCheck(ctx context.Context, u *User, check Check) (err error) {
	defer func() {
		if recover() != nil {
			err = errCheckPanic
		}
	}()
	return check(ctx, u)
}

// logGuard records one guard decision like Decide records the enforcer's:
// who, which guard, on what request (method and the path as sent, escapes
// included, so the record shows what the router saw), the result and how
// long the check took. Never the token.
func (a *Auth) logGuard(r *http.Request, st *state, name string, u *User, err error, latency time.Duration) {
	result, level := "allow", slog.LevelInfo
	if err != nil {
		result = "deny"
		if errors.Is(err, ErrUnavailable) {
			result, level = "error", slog.LevelWarn
		}
	}
	if !a.logger.Enabled(r.Context(), level) || level < slog.LevelWarn && !a.decisionLog.take() {
		return
	}
	attrs := []slog.Attr{
		slog.String("request_id", st.requestID()), slog.String("subject", u.ID()),
		slog.String("guard", name), slog.String("method", r.Method), slog.String("path", r.URL.EscapedPath()),
		slog.String("result", result), slog.Duration("latency", latency),
	}
	if err != nil && err != ErrForbidden { //nolint:errorlint // a plain denial has no cause to log
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	a.logger.LogAttrs(r.Context(), level, "authorization guard", attrs...)
}

// pathCheck is CheckPath for checks that decide without the path (guards,
// Require): its refusal wraps ErrForbidden, as a mapper's does in Authorize.
func pathCheck(r *http.Request) error {
	if err := CheckPath(r.URL); err != nil {
		return errors.Join(ErrForbidden, err)
	}
	return nil
}

// RequireAuthenticated lets any authenticated caller through and marks the
// request checked, for routes such as /me that every user may call.
func (a *Auth) RequireAuthenticated() func(http.Handler) http.Handler {
	return a.Guard("authenticated", func(context.Context, *User) error { return nil })
}

// RequireAnyGroup allows callers in at least one of groups.
func (a *Auth) RequireAnyGroup(groups ...string) func(http.Handler) http.Handler {
	groups = slices.Clone(groups)
	return a.Guard("any group", func(ctx context.Context, u *User) error { return AnyGroup(ctx, u, groups...) })
}

// RequireAllGroups allows callers in every one of groups.
func (a *Auth) RequireAllGroups(groups ...string) func(http.Handler) http.Handler {
	groups = slices.Clone(groups)
	return a.Guard("all groups", func(ctx context.Context, u *User) error { return AllGroups(ctx, u, groups...) })
}

// RequireAnyPermission allows callers granted at least one of perms, with
// wildcards and deny permissions applied (permission.Allowed).
func (a *Auth) RequireAnyPermission(perms ...string) func(http.Handler) http.Handler {
	perms = slices.Clone(perms)
	return a.Guard("any permission", func(ctx context.Context, u *User) error { return AnyPermission(ctx, u, perms...) })
}

// RequireAllPermissions allows callers granted every one of perms.
func (a *Auth) RequireAllPermissions(perms ...string) func(http.Handler) http.Handler {
	perms = slices.Clone(perms)
	return a.Guard("all permissions", func(ctx context.Context, u *User) error { return AllPermissions(ctx, u, perms...) })
}

// AnyGroup is the check of RequireAnyGroup. An empty list allows no one.
func AnyGroup(ctx context.Context, u *User, groups ...string) error {
	have, err := u.Groups(ctx)
	if err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	for _, g := range groups {
		if slices.Contains(have, g) {
			return nil
		}
	}
	return ErrForbidden
}

// AllGroups is the check of RequireAllGroups. An empty list allows no one,
// so that a guard built from an empty configuration does not open a route.
func AllGroups(ctx context.Context, u *User, groups ...string) error {
	have, err := u.Groups(ctx)
	if err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	if len(groups) == 0 {
		return ErrForbidden
	}
	for _, g := range groups {
		if !slices.Contains(have, g) {
			return ErrForbidden
		}
	}
	return nil
}

// AnyPermission is the check of RequireAnyPermission.
func AnyPermission(ctx context.Context, u *User, perms ...string) error {
	have, err := u.Permissions(ctx)
	if err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	for _, p := range perms {
		if permission.Allowed(have, p) {
			return nil
		}
	}
	return ErrForbidden
}

// AllPermissions is the check of RequireAllPermissions; an empty list allows
// no one.
func AllPermissions(ctx context.Context, u *User, perms ...string) error {
	have, err := u.Permissions(ctx)
	if err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	if len(perms) == 0 {
		return ErrForbidden
	}
	for _, p := range perms {
		if !permission.Allowed(have, p) {
			return ErrForbidden
		}
	}
	return nil
}

// Public marks a route as deliberately open: it needs no credentials and
// strict mode lets its responses through.
func Public(next http.Handler) http.Handler { return publicStep.middleware(next) }

// publicStep is the one step of Public, which needs no Auth.
var publicStep = &step{kind: stepPublic}
