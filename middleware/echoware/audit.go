package echoware

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/labstack/echo/v4"
)

// Audit records the routes of an echo instance with their middleware, to
// list at start-up the ones that have no check of this package. Create it
// before registering routes.
type Audit struct {
	e      *echo.Echo
	mu     sync.Mutex
	routes []auditRoute
}

type auditRoute struct {
	route echo.Route
	mws   []echo.MiddlewareFunc
}

// NewAudit starts recording routes added to e from now on. It chains any
// OnAddRouteHandler already set.
func NewAudit(e *echo.Echo) *Audit {
	a := &Audit{e: e}
	prev := e.OnAddRouteHandler
	e.OnAddRouteHandler = func(host string, route echo.Route, h echo.HandlerFunc, mws []echo.MiddlewareFunc) {
		if prev != nil {
			prev(host, route, h, mws)
		}
		if route.Method == echo.RouteNotFound {
			return // echo's own catch-alls for groups
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		a.routes = append(a.routes, auditRoute{route: route, mws: append([]echo.MiddlewareFunc(nil), mws...)})
	}
	return a
}

// Unchecked returns the routes whose middleware chain, after global (the
// middleware given to e.Use, in order), contains no Authorize, guard or
// Public of this package. It finds them by a dry run of each chain with a
// marked request: the checks of this package stop a dry run, and the route's
// handler is never called (a stand-in ends the chain). Other middleware does
// run, with a request it cannot answer to anyone.
func (a *Audit) Unchecked(global ...echo.MiddlewareFunc) []echo.Route {
	a.mu.Lock()
	routes := append([]auditRoute(nil), a.routes...)
	a.mu.Unlock()
	var out []echo.Route
	for _, r := range routes {
		if !a.checked(r, global) {
			out = append(out, r.route)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

func (a *Audit) checked(r auditRoute, global []echo.MiddlewareFunc) (checked bool) {
	var flag atomic.Bool
	defer func() {
		// A middleware that panics on a dry run proves nothing either way.
		if recover() != nil {
			checked = flag.Load()
		}
	}()
	h := echo.HandlerFunc(func(echo.Context) error { return nil })
	chain := append(append([]echo.MiddlewareFunc(nil), global...), r.mws...)
	for i := len(chain) - 1; i >= 0; i-- {
		h = chain[i](h)
	}
	method := r.route.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(withAudit(context.Background(), &flag), method, "/", nil)
	if err != nil {
		return false
	}
	req.URL.Path = r.route.Path
	c := a.e.NewContext(req, &statusRecorder{})
	c.SetPath(r.route.Path)
	_ = h(c)
	return flag.Load()
}
