package middleware

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/wardenhq/warden"
)

// ErrRoleIdentity is wrapped (with ErrForbidden, so 403) when the caller's
// identity is the name of a role. Casbin does not tell users from roles: a
// token whose sub is "admin" would hold every rule of the role admin
// without being granted it, so a provider that lets users pick their
// subject (or an API key mapped to a role's name) would hand out roles.
var ErrRoleIdentity = warden.NewError(warden.ErrForbidden, "middleware: the identity is the name of a role")

// RoleSource tells whether a name is a role or group. *enforcer.Enforcer is
// one: its IsRole knows every role a stored g rule names.
type RoleSource interface {
	IsRole(ctx context.Context, name string) (bool, error)
}

// RoleNames is a RoleSource of fixed names: roles that no stored g rule
// names, because callers get them only from their tokens (a "groups"
// claim) while "p" rules grant them, or that may lose their last member:
// the decider knows a role only while some g rule names it.
type RoleNames []string

// IsRole implements RoleSource.
func (n RoleNames) IsRole(_ context.Context, name string) (bool, error) {
	return slices.Contains(n, name), nil
}

// WithRoleSources sets what Identify asks whether the caller's identity is
// a role (refused with ErrRoleIdentity). By default it is the decider, when
// the decider is a RoleSource (an *enforcer.Enforcer), and nothing
// otherwise. Pass every policy whose roles callers reach (warden serve:
// the served policy, the admin policy and RoleNames{"warden-admin"}).
func WithRoleSources(s ...RoleSource) Option {
	return func(x *Auth) { x.roles, x.rolesSet = append(x.roles, s...), true }
}

// WithRoleIdentities lets a caller's identity be a role's name, as in plain
// Casbin. Use it only when no caller can choose its identity: the identity
// provider assigns every subject and no subject can equal a role, or the
// model is built for callers that are roles.
func WithRoleIdentities() Option { return func(x *Auth) { x.roleIdentities = true } }

// checkIdentity refuses an identity that a role source names as a role. A
// source that fails makes the answer unknown: 503, never an allow.
func (a *Auth) checkIdentity(ctx context.Context, id string) error {
	if a.roleIdentities {
		return nil
	}
	for i, s := range a.roles {
		is, err := safeIsRole(ctx, s, id)
		switch {
		case err != nil:
			return errors.Join(ErrUnavailable, fmt.Errorf("role source %d: %w", i, err))
		case is:
			return errors.Join(ErrForbidden, ErrRoleIdentity)
		}
	}
	return nil
}

// IsRoleIdentity reports whether Identify would refuse id as a role's name
// (always false with WithRoleIdentities). The admin API's lockout guard
// asks it, so that it never counts as an administrator an identity that
// cannot authenticate. A role source that fails is an error.
func (a *Auth) IsRoleIdentity(ctx context.Context, id string) (bool, error) {
	err := a.checkIdentity(ctx, id)
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, ErrRoleIdentity):
		return true, nil
	}
	return false, err
}

// AsksRoleSource reports whether Identify refuses the roles that src names:
// src is one of the role sources and role identities are not allowed. The
// admin API asks it to know whether a role granted in the served policy
// takes that name away from a caller.
func (a *Auth) AsksRoleSource(src RoleSource) bool {
	return !a.roleIdentities && slices.Contains(a.roles, src)
}

// errRoleSourcePanic stands for a role source that panicked: whether the
// identity is a role is unknown, so the caller is refused (503).
var errRoleSourcePanic = errors.New("middleware: role source panicked")

// safeIsRole asks s, a panic being errRoleSourcePanic: a role source may
// be the application's code.
func safeIsRole(ctx context.Context, s RoleSource, id string) (is bool, err error) {
	defer func() {
		if recover() != nil {
			is, err = false, errRoleSourcePanic
		}
	}()
	return s.IsRole(ctx, id)
}
