package sharedtoken

import (
	"context"
	"net/http"
	"sync/atomic"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden"
)

// Verify verifies raw with v, which must be a *token.Verifier, and returns
// the token. When shared is true the token is the cache's own: the caller
// must not modify it, nor hand it to code that may (Clone it first). memo
// is the cache entry's Memo when the token is kept in the cache, else nil.
//
// Package token sets Verify when it is initialised; any package that has a
// *token.Verifier to pass has therefore imported it, so Verify is set
// wherever it can be called.
var Verify func(v any, ctx context.Context, raw string) (tok *warden.Token, shared bool, memo *Memo, err error)

// VerifyHeader is Verify of the bearer token of h, read as
// token.FromHeader reads it, with its errors; set as Verify is.
var VerifyHeader func(v any, ctx context.Context, h http.Header) (tok *warden.Token, shared bool, memo *Memo, err error)

// Memo is what one entry of the verified-token cache remembers, beside its
// token, of a value derived from that token alone: the groups list a
// MemoReader read from its claims. The cached token never changes (nothing
// may modify it), so a list derived from it is the same on every request
// that presents the token; the entry, and its Memo, go with the token
// (expiry is checked before the entry is used, a JWKS refresh drops it).
// Nothing request-scoped is ever kept here.
//
// A remembered list is shared by every request presenting the token:
// whoever is handed it must not modify it. The middleware hands it only to
// Warden's own enforcer, which never modifies Request.Groups, and a copy
// to any other decider; User.Groups returns copies.
type Memo struct {
	groups atomic.Pointer[memoGroups]
}

// memoGroups is one remembered list and the provider that read it.
type memoGroups struct {
	key  MemoReader
	list []string
}

// Groups returns the list remembered for p, if any.
func (m *Memo) Groups(p MemoReader) ([]string, bool) {
	if m == nil {
		return nil, false
	}
	g := m.groups.Load()
	if g == nil || g.key != p {
		return nil, false
	}
	return g.list, true
}

// SetGroups remembers list as p's, replacing any other provider's: two
// Auths with different claim paths on one verifier each read their own.
// list must never be modified afterwards.
func (m *Memo) SetGroups(p MemoReader, list []string) {
	if m != nil {
		m.groups.Store(&memoGroups{key: p, list: list})
	}
}

// MemoReader is a Reader whose list is a function of the token's claims
// alone (and of the provider's own fixed configuration), so that the list
// it reads for a cached token may be remembered in the token's Memo.
// FetchShared is Fetch with the Memo of the (shared) token: it runs every
// check Fetch runs on every call, and only the list itself may come from
// the Memo. Its implementation must be comparable: the Memo tells
// providers apart by it.
type MemoReader interface {
	Reader
	FetchShared(ctx context.Context, tok *warden.Token, m *Memo) ([]string, error)
}

// Mark is the parameter type of Reader's method. Only packages that can
// import this package can name it, so only they can declare the method.
type Mark struct{}

// Reader is a provider (warden.Provider) that only reads the token it is
// handed: it neither modifies it nor keeps it, nor anything in it, after
// Fetch returns. Such a provider is handed a shared token; any other is
// handed the request's private copy.
type Reader interface {
	ReadsTokenOnly(Mark)
}

// Clone returns a deep copy of tok. A decoded JWT holds only maps, lists
// and immutable scalars (strings, numbers, booleans, nil), so copying the
// maps and lists leaves nothing shared that can be modified.
func Clone(tok *warden.Token) *warden.Token {
	if tok == nil {
		return nil
	}
	c := *tok
	c.Header = cloneMap(tok.Header)
	c.Claims = cloneMap(tok.Claims)
	return &c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = cloneValue(v)
	}
	return c
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneMap(v)
	case jwt.MapClaims:
		return jwt.MapClaims(cloneMap(v))
	case []any:
		c := make([]any, len(v))
		for i, x := range v {
			c[i] = cloneValue(x)
		}
		return c
	case []string:
		return append([]string(nil), v...)
	}
	return v
}
