package middleware

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/middleware/internal/sharedtoken"
)

// User is the authenticated caller of one request. Its groups and
// permissions are fetched on first use, at most once; the first result,
// error included, is kept for the rest of the request.
//
// The token a User holds may be shared with other requests (the verified
// token token.Verifier keeps in its cache): the User reads it, and makes
// the request's own copy the first time code that may modify it asks for
// it (Claims, Token, a provider), so that a request that never asks costs
// no copy, and a change made through one request's copy is never seen by
// another.
type User struct {
	tok *warden.Token // read only: it may be shared (see owned)
	// owned is the request's own token: tok itself when tok is not
	// shared, else the copy own makes on first use (nil until then).
	owned atomic.Pointer[warden.Token]
	// memo is the cache entry of tok when tok is the verified-token
	// cache's own (see sharedtoken.Memo), else nil.
	memo   *sharedtoken.Memo
	prov   *providers
	groups lazy
	// perms is nil when there are no permission providers, the common
	// case, which then costs the request's state no room.
	perms *lazy
}

// providers are the providers of a User's groups and permissions, each
// with whether it only reads the token (sharedtoken.Reader), found once
// when the Auth is built rather than on every request.
type providers struct {
	groups, perms []provider
	// auth: these are an Auth's (New), not NewUser's: a User holding
	// them was identified by that Auth (its state's or Identify's).
	auth bool
	// authn is that Auth's authenticator, which identified the User.
	authn Authenticator
}

// provider is one provider of a list.
type provider struct {
	warden.Provider
	readsOnly bool // it is handed the shared token, not the request's copy
	// memo is the provider itself when its list may be kept with a
	// cached token (sharedtoken.MemoReader), else nil.
	memo sharedtoken.MemoReader
}

func newProviders(groups []warden.GroupsProvider, perms []warden.PermissionsProvider) *providers {
	list := func(ps []warden.Provider) []provider {
		out := make([]provider, len(ps))
		for i, p := range ps {
			_, reads := p.(sharedtoken.Reader)
			m, _ := p.(sharedtoken.MemoReader)
			out[i] = provider{Provider: p, readsOnly: reads, memo: m}
		}
		return out
	}
	return &providers{groups: list(groups), perms: list(perms)}
}

// NewUser returns the user of a verified token, with the providers asked
// for its groups and permissions (union of all providers).
func NewUser(tok *warden.Token, groups []warden.GroupsProvider, perms []warden.PermissionsProvider) *User {
	return newUser(tok, true, newProviders(groups, perms))
}

// newUser returns the user of tok, shared or the caller's own.
func newUser(tok *warden.Token, own bool, prov *providers) *User {
	u := new(User)
	u.init(tok, own, nil, prov)
	return u
}

// init makes u the user of tok with prov's providers; own says that tok
// is the caller's own, not a token shared with other requests, memo is
// the cache entry's Memo of a shared token (nil: none).
func (u *User) init(tok *warden.Token, own bool, memo *sharedtoken.Memo, prov *providers) {
	*u = User{tok: tok, prov: prov}
	if own {
		u.owned.Store(tok)
	} else {
		u.memo = memo // only a shared token is the cache's, never changed
	}
	if len(prov.perms) > 0 {
		u.perms = new(lazy)
	}
}

// identified reports whether u holds a token with an identity: a zero
// User, or NewUser's of a nil token, is no caller.
func (u *User) identified() bool { return u != nil && u.tok != nil && u.tok.Identity != "" }

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

// Claims are the verified claims of this request's token. The token is
// this request's own (a token the verifier had cached is copied for the
// request on first use), so a change stays in the request; still, the
// decision reads the claims as verified, not as changed, so read them, do
// not modify them.
func (u *User) Claims() map[string]any { return u.own().Claims }

// Token is the verified token, this request's own as for Claims. Never
// log its Raw field.
func (u *User) Token() *warden.Token { return u.own() }

// own returns the request's own token: tok itself unless it is shared,
// else a copy made on the first call.
func (u *User) own() *warden.Token {
	if t := u.owned.Load(); t != nil {
		return t
	}
	// Two goroutines of the request may copy at once: one copy wins,
	// and both hand out the winner, so the request has one token.
	u.owned.CompareAndSwap(nil, sharedtoken.Clone(u.tok))
	return u.owned.Load()
}

// tokenFor returns the token p is handed: the shared one when p only reads
// it (sharedtoken.Reader), else the request's own.
func (u *User) tokenFor(p provider) *warden.Token {
	if p.readsOnly {
		return u.tok
	}
	return u.own()
}

// Groups returns the union of the providers' groups, in order of first
// appearance. An error from any provider is an error: a partial list could
// miss a group that a deny rule names.
func (u *User) Groups(ctx context.Context) ([]string, error) {
	g, err := u.fetchGroups(ctx)
	return slices.Clone(g), err
}

// Permissions returns the union of the providers' permissions, as Groups.
func (u *User) Permissions(ctx context.Context) ([]string, error) {
	p, err := u.permissionList(ctx)
	return slices.Clone(p), err
}

// groups and permissions are the lists the decision reads: not copies.
// shared reports a groups list kept with the cached token (see
// sharedtoken.Memo), which other requests read too: it is handed only to
// code that never modifies it.
func (u *User) groupList(ctx context.Context) (list []string, shared bool, err error) {
	list, err = u.fetchGroups(ctx)
	return list, fromMemo(u, u.providers().groups), err
}

// fetchGroups returns the groups list, which may be the one kept with the
// cached token (see fromMemo).
func (u *User) fetchGroups(ctx context.Context) ([]string, error) {
	return u.groups.get(ctx, u, u.providers().groups, true, "groups")
}

// fromMemo reports whether fetchAll takes u's list from ps through the
// cached token's Memo: one provider that may keep its list there, and a
// token kept in the cache. The list is then shared with other requests.
func fromMemo(u *User, ps []provider) bool {
	return len(ps) == 1 && ps[0].memo != nil && u.memo != nil
}

func (u *User) permissionList(ctx context.Context) ([]string, error) {
	if u.perms == nil { // no providers: none, as fetchAll finds
		return []string{}, nil
	}
	return u.perms.get(ctx, u, u.providers().perms, false, "permissions")
}

// errProviderPanic stands for a provider that panicked: an unknown result,
// which must deny, never a silently empty one.
var errProviderPanic = errors.New("middleware: provider panicked")

// providers returns u's providers; a User made by neither NewUser nor
// the middleware has none.
func (u *User) providers() *providers {
	if u.prov == nil {
		return noProviders
	}
	return u.prov
}

var noProviders = &providers{}

// lazy computes a list once and remembers the outcome. The list it keeps
// is never handed out to be changed: Groups and Permissions return copies,
// and the decision only reads it. It is fetched when both v and err are
// nil: fetchAll never returns a nil list without an error.
type lazy struct {
	mu  sync.Mutex
	v   []string
	err error
}

// get returns the union of what ps fetch for u's token (what names the
// list in errors), fetching it on the first call only; memo lets the list
// come from the cached token's Memo (groups only).
func (l *lazy) get(ctx context.Context, u *User, ps []provider, memo bool, what string) ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.v == nil && l.err == nil {
		l.v, l.err = fetchAll(ctx, u, ps, memo, what)
	}
	if l.err != nil {
		return nil, l.err
	}
	return l.v, nil
}

// fetchAll asks every provider; a panic is errProviderPanic. With one
// provider, the common case, its own list is kept (a provider hands over
// the list it returns) once deduplicated; when that provider reads the
// cached token's claims (sharedtoken.MemoReader), the list is the one
// kept with the token, and shared (fromMemo).
func fetchAll(ctx context.Context, u *User, ps []provider, memo bool, what string) (v []string, err error) {
	defer func() {
		if recover() != nil {
			v, err = nil, errProviderPanic
		}
	}()
	if memo && fromMemo(u, ps) {
		g, err := ps[0].memo.FetchShared(ctx, u.tok, u.memo)
		if err != nil {
			return nil, fmt.Errorf("%s provider 0: %w", what, err)
		}
		return dedupe(g), nil
	}
	var all []string
	for i, p := range ps {
		g, err := p.Fetch(ctx, u.tokenFor(p))
		if err != nil {
			return nil, fmt.Errorf("%s provider %d: %w", what, i, err)
		}
		if len(ps) == 1 {
			return dedupe(g), nil
		}
		all = append(all, g...)
	}
	return dedupe(all), nil
}

// dedupe drops empty names and repeats, keeping the first. A list that has
// neither, the common case, is returned as it is; otherwise a new list is
// made.
func dedupe(in []string) []string {
	if len(in) == 0 {
		return []string{} // "none", never nil: a handler may encode it
	}
	if clean(in) {
		return in
	}
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

// clean reports whether in has no empty name and no repeat, without
// allocating for short lists.
func clean(in []string) bool {
	if len(in) > 32 {
		return false
	}
	for i, s := range in {
		if s == "" || slices.Contains(in[:i], s) {
			return false
		}
	}
	return true
}
