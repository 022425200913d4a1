package middleware

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/wardenhq/warden"
)

// ErrAmbiguousPath is wrapped by the default mappers when a request path is
// spelled with escapes its decoded form would not need (/%61dmin, /a%2Fb).
// Routers disagree on such paths: echo and chi route on the escaped form,
// net/http's ServeMux on the unescaped segments. A policy decided on one
// form could then be applied to a route chosen by the other, so the request
// is refused (403) instead of guessed at.
var ErrAmbiguousPath = warden.NewError(warden.ErrInvalid, "middleware: request path has escapes its decoded form does not need")

// CanonicalPath reports whether u's path has a single spelling: its raw form
// is the standard escaping of its decoded form. Only then do every router
// and the enforcer see the same path.
func CanonicalPath(u *url.URL) bool {
	return u.RawPath == "" || u.RawPath == (&url.URL{Path: u.Path}).EscapedPath()
}

// IsPublicRequest reports whether r is for a route declared WithPublic. route
// is the path of the route that serves r, when the router has already chosen
// it (echo's c.Path(), the path of net/http's r.Pattern), or "" before
// routing. A request is public only when
//   - its path is canonical and safe (CheckPath), so the router cannot pick
//     a route by another spelling of the path than the one declared public;
//   - the route served, when known, is the literal path declared, not a
//     pattern such as /{slug} that happens to match it;
//   - its method and path are declared WithPublic.
func (a *Auth) IsPublicRequest(r *http.Request, route string) bool {
	// The lookup first: most requests are for no public route, and it is
	// cheaper than CheckPath.
	if !a.IsPublic(r.Method, r.URL.Path) || route != "" && route != r.URL.Path {
		return false
	}
	return CheckPath(r.URL) == nil
}

// hasPublic reports whether any route is declared WithPublic: without
// one, no request is public, and the route serving it need not be asked.
func (a *Auth) hasPublic() bool { return len(a.public) > 0 }

// routeOf returns the path of a net/http pattern ("GET host/p/{$}" is
// "/p/"), or "" when r has not been routed by a ServeMux yet.
func routeOf(r *http.Request) string {
	p := r.Pattern
	if p == "" {
		return ""
	}
	if i := strings.IndexAny(p, " \t"); i >= 0 {
		p = strings.TrimLeft(p[i:], " \t")
	}
	i := strings.IndexByte(p, '/')
	if i < 0 {
		return p // not a ServeMux pattern: compare as given, it will not match a path
	}
	return strings.TrimSuffix(p[i:], "{$}")
}
