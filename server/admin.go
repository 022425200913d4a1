package server

import (
	"context"
	"errors"
	"strings"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/permission"
)

// guard returns a middleware.Check requiring perm in the admin policy.
func (s *Server) guard(perm string) middleware.Check {
	return func(ctx context.Context, u *middleware.User) error { return s.permit(ctx, u, perm) }
}

// permit decides whether u holds perm: from the admin policy, with the
// groups and permissions of u's token as request-scoped data. It returns an
// error wrapping middleware.ErrForbidden or middleware.ErrUnavailable.
func (s *Server) permit(ctx context.Context, u *middleware.User, perm string) error {
	groups, err := u.Groups(ctx)
	if err != nil {
		return errors.Join(middleware.ErrUnavailable, err)
	}
	perms, err := u.Permissions(ctx)
	if err != nil {
		return errors.Join(middleware.ErrUnavailable, err)
	}
	// An allow the codec refuses is dropped rather than failing the
	// request: it could only have granted, and scopes such as "openid
	// profile" are no Warden permissions. A refused deny fails closed.
	var pol [][]string
	for _, p := range perms {
		r, err := permission.Rule(u.ID(), p)
		switch {
		case err == nil:
			pol = append(pol, r.Values)
		case strings.HasPrefix(p, "!"):
			return errors.Join(middleware.ErrForbidden, err)
		}
	}
	d, err := s.admin.Decide(ctx, enforcer.Request{Values: []any{u.ID(), perm}, Groups: groups, Policies: pol})
	switch {
	case err != nil:
		return errors.Join(middleware.ErrUnavailable, err)
	case !d.Allowed:
		return middleware.ErrForbidden
	}
	return nil
}
