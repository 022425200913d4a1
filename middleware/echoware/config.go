package echoware

import (
	"github.com/labstack/echo/v4"
	emw "github.com/labstack/echo/v4/middleware"

	"github.com/wardenhq/warden/middleware"
)

// Mapper turns an echo request into the enforcer's request values.
type Mapper func(c echo.Context, subject string) ([]any, error)

// PathMapper maps to (subject, request path, method), like the net/http
// default, and like it refuses a path that middleware.CheckPath refuses: one
// not spelled canonically (middleware.ErrAmbiguousPath), because echo routes
// on the escaped path and a decoded /admin/x decided for a request spelled
// /%61dmin/x would lend the rules of /admin/* to whatever route echo picked
// for the escaped form; or one with control characters, invalid UTF-8 or dot
// segments (middleware.ErrUnsafePath).
func PathMapper(c echo.Context, subject string) ([]any, error) {
	if err := middleware.CheckPath(c.Request().URL); err != nil {
		return nil, err
	}
	return []any{subject, c.Request().URL.Path, c.Request().Method}, nil
}

// RouteMapper maps to (subject, route pattern such as "/posts/:id", method),
// so that one rule covers every id. The request path must still pass
// middleware.CheckPath: the decision is on the pattern, but the handler
// reads the parameters, and an id "1\n" must not reach it.
func RouteMapper(c echo.Context, subject string) ([]any, error) {
	if err := middleware.CheckPath(c.Request().URL); err != nil {
		return nil, err
	}
	return []any{subject, c.Path(), c.Request().Method}, nil
}

// Config configures the middleware of this package. The checks themselves
// (their order, decisions, logs and default answers) are package
// middleware's, the same as for net/http.
type Config struct {
	// Auth authenticates and decides. Required: the constructors panic
	// without it.
	Auth *middleware.Auth
	// Skipper skips the middleware, the echo convention (the Auth's
	// WithSkipper is net/http's). A skipped request is not checked, so
	// strict mode still refuses it unless a guard or Public follows. A
	// route declared middleware.WithPublic is public before it is skipped.
	Skipper emw.Skipper
	// Mapper builds the enforcer request (default: the Auth's mapper,
	// which is middleware.DefaultMapper, the request path, unless
	// configured otherwise).
	Mapper Mapper
	// ErrorHandler writes refusals. The default is the Auth's error
	// handler (JSON 401/403/503, or its WithErrorHandler). It must not
	// send err's text to clients. A body it writes without a status goes
	// out with the refusal's (middleware.StatusOf), not echo's 200. One
	// that writes nothing and returns nil, err or an error wrapping err
	// leaves the answer to the Auth's error handler.
	ErrorHandler func(c echo.Context, err error) error
}

// mustAuth panics, as echo's own middleware does for a configuration that
// cannot work, when the middleware named what is built without an Auth or,
// if it decides, with an Auth that has no decider. Failing at start-up beats
// a nil dereference (or a 403 for everyone) on the first request.
func mustAuth(what string, a *middleware.Auth, decides bool) {
	if a == nil {
		panic("echoware: " + what + " needs a *middleware.Auth, got nil")
	}
	if decides && a.Decider() == nil {
		panic("echoware: " + what + " needs an Auth built with middleware.WithDecider")
	}
}

func (cfg Config) withDefaults() Config {
	if cfg.Skipper == nil {
		cfg.Skipper = emw.DefaultSkipper
	}
	return cfg
}
