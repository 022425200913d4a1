package attacktest

import (
	"context"
	"errors"

	"github.com/wardenhq/warden/middleware"
)

// RoleCase is one configuration of the role-identity check and a caller:
// the status the caller's GET /posts/1 must get. Tokens carry no groups.
type RoleCase struct {
	Name string
	Opts []middleware.Option
	Sub  string
	Want int
}

// failingRoles is a role source that cannot answer.
type failingRoles struct{}

func (failingRoles) IsRole(context.Context, string) (bool, error) {
	return false, errors.New("role source down")
}

// RoleCases cover the default (the decider's roles), the opt-out and
// configured sources.
var RoleCases = []RoleCase{
	{"default: a role of the policy", nil, "viewer", 403},
	{"default: a user", nil, "carol", 403}, // denied by her own rule, not refused
	{"default: a name unknown to the policy", nil, "mallory", 403},
	{"allowed: a role's rules apply", []middleware.Option{middleware.WithRoleIdentities()}, "viewer", 200},
	{"named roles replace the decider's", []middleware.Option{middleware.WithRoleSources(middleware.RoleNames{"auditors"})}, "viewer", 200},
	{"a named role", []middleware.Option{middleware.WithRoleSources(middleware.RoleNames{"viewer"})}, "viewer", 403},
	{"a source that fails", []middleware.Option{middleware.WithRoleSources(failingRoles{})}, "viewer", 503},
	{"a source that fails, allowed", []middleware.Option{middleware.WithRoleSources(failingRoles{}), middleware.WithRoleIdentities()}, "viewer", 200},
}
