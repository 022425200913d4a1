package postsdemo

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
)

// VisibilityModel decides which posts a caller may read: its own, any
// published post for viewers (and the roles above them), drafts for
// admins. Posts are attribute sets (obj.Author, obj.Status).
const VisibilityModel = `[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && r.obj.Status == p.obj && r.act == p.act || r.obj.Author == r.sub && r.act == "read"`

// VisibilitySeed is the visibility policy. The caller's roles come from
// the shared policy (and the token) as request-scoped groups; the links
// here only say which role includes which.
var VisibilitySeed = []enforcer.Rule{
	enforcer.P("viewer", Published, "read"),
	enforcer.P("admin", Draft, "read"),
	enforcer.G("editor", "viewer"),
	enforcer.G("admin", "editor"),
}

func newVisibility(ctx context.Context) (*enforcer.Enforcer, error) {
	m, err := enforcer.ParseModel(VisibilityModel)
	if err != nil {
		return nil, err
	}
	e, err := enforcer.New(ctx, m, nil)
	if err != nil {
		return nil, err
	}
	if _, err := e.AddRules(ctx, VisibilitySeed...); err != nil {
		return nil, err
	}
	return e, nil
}

// Page bounds of GET /posts.
const (
	DefaultLimit = 50
	MaxLimit     = 100
)

// ErrBadPage is returned by ParsePage for a limit or offset that is not a
// number in range.
var ErrBadPage = fmt.Errorf("limit must be 1 to %d and offset at least 0", MaxLimit)

// ParsePage reads ?limit=&offset= of GET /posts.
func ParsePage(q url.Values) (limit, offset int, err error) {
	limit, offset = DefaultLimit, 0
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > MaxLimit {
			return 0, 0, ErrBadPage
		}
	}
	if s := q.Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 {
			return 0, 0, ErrBadPage
		}
	}
	return limit, offset, nil
}

// VisiblePosts is GET /posts: one page of the posts u may read, filtered
// in the database through the visibility plan. An error (the caller's
// groups unavailable, a plan that cannot be made) wraps
// middleware.ErrUnavailable for the Auth's error handler: the list fails
// closed, never shows more.
func (a *App) VisiblePosts(ctx context.Context, u *middleware.User, limit, offset int) ([]Post, error) {
	groups, err := u.Groups(ctx)
	if err != nil {
		return nil, errors.Join(middleware.ErrUnavailable, err)
	}
	plan, err := a.Visibility.Plan(ctx, enforcer.Request{Values: []any{u.ID(), enforcer.Unknown{}, "read"}, Groups: groups})
	if err != nil {
		return nil, errors.Join(middleware.ErrUnavailable, err)
	}
	posts, err := a.Posts.Visible(ctx, plan, limit, offset)
	if err != nil {
		return nil, errors.Join(middleware.ErrUnavailable, err)
	}
	return posts, nil
}
