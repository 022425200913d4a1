package middleware

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/wardenhq/warden"
)

// User is the authenticated caller of one request. Its groups and
// permissions are fetched on first use, at most once; the first result,
// error included, is kept for the rest of the request.
type User struct {
	tok    *warden.Token
	gp     []warden.GroupsProvider
	pp     []warden.PermissionsProvider
	groups lazy
	perms  lazy
}

// NewUser returns the user of a verified token, with the providers asked
// for its groups and permissions (union of all providers).
func NewUser(tok *warden.Token, groups []warden.GroupsProvider, perms []warden.PermissionsProvider) *User {
	return &User{tok: tok, gp: groups, pp: perms}
}

// ID is the identity taken from the token.
func (u *User) ID() string { return u.tok.Identity }

// Name is the "name" claim, or the identity. It is for display only: the
// user chooses it, so no decision may read it.
func (u *User) Name() string {
	if s, ok := u.tok.Claims["name"].(string); ok && s != "" {
		return s
	}
	return u.tok.Identity
}

// Email is the "email" claim when the token says it is verified
// ("email_verified": true), or "". An unverified address is whatever the
// user typed, and a handler that trusted it (to look up an account, to send
// a reset link) would hand one user another's.
func (u *User) Email() string {
	if u.tok.Claims["email_verified"] != true {
		return ""
	}
	s, _ := u.tok.Claims["email"].(string)
	return s
}

// Claims are the verified claims. They are shared with the token: read, do
// not modify.
func (u *User) Claims() map[string]any { return u.tok.Claims }

// Token is the verified token. Never log its Raw field.
func (u *User) Token() *warden.Token { return u.tok }

// Groups returns the union of the providers' groups, in order of first
// appearance. An error from any provider is an error: a partial list could
// miss a group that a deny rule names.
func (u *User) Groups(ctx context.Context) ([]string, error) {
	return u.groups.get(func() ([]string, error) {
		var all []string
		for i, p := range u.gp {
			g, err := p.Fetch(ctx, u.tok)
			if err != nil {
				return nil, fmt.Errorf("groups provider %d: %w", i, err)
			}
			all = append(all, g...)
		}
		return dedupe(all), nil
	})
}

// Permissions returns the union of the providers' permissions, as Groups.
func (u *User) Permissions(ctx context.Context) ([]string, error) {
	return u.perms.get(func() ([]string, error) {
		var all []string
		for i, p := range u.pp {
			g, err := p.Fetch(ctx, u.tok)
			if err != nil {
				return nil, fmt.Errorf("permissions provider %d: %w", i, err)
			}
			all = append(all, g...)
		}
		return dedupe(all), nil
	})
}

// errProviderPanic stands for a provider that panicked: an unknown result,
// which must deny, never a silently empty one.
var errProviderPanic = errors.New("middleware: provider panicked")

// lazy computes a list once and remembers the outcome.
type lazy struct {
	once sync.Once
	v    []string
	err  error
}

func (l *lazy) get(fetch func() ([]string, error)) ([]string, error) {
	l.once.Do(func() {
		l.err = errProviderPanic // kept if fetch panics
		defer func() {
			if recover() != nil {
				l.v = nil
			}
		}()
		l.v, l.err = fetch()
	})
	if l.err != nil {
		return nil, l.err
	}
	return slices.Clone(l.v), nil
}

func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]struct{}, len(in))
	for _, s := range in {
		if _, ok := seen[s]; ok || s == "" {
			continue
		}
		seen[s] = struct{}{}
		out = append(out, s)
	}
	return out
}
