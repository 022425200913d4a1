package echoware

import (
	"errors"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/internal/flow"
)

// exchange is an echo request as package middleware's pipeline sees it
// (flow.Exchange): echo's request, response, route and next handler, and
// the Config's skipper, mapper and error handler. Exchanges are pooled and
// reset by value after each step: the pipeline keeps none.
type exchange struct {
	c    echo.Context
	cfg  *Config
	next echo.HandlerFunc
}

var exchanges = sync.Pool{New: func() any { return new(exchange) }}

// run runs the check r for c with cfg, then next.
func run(r flow.Runner, cfg *Config, c echo.Context, next echo.HandlerFunc) error {
	x := exchanges.Get().(*exchange)
	*x = exchange{c: c, cfg: cfg, next: next}
	err := r.Run(x)
	*x = exchange{}
	exchanges.Put(x)
	return err
}

func (x *exchange) Request() *http.Request              { return x.c.Request() }
func (x *exchange) SetRequest(r *http.Request)          { x.c.SetRequest(r) }
func (x *exchange) ResponseWriter() http.ResponseWriter { return x.c.Response() }
func (x *exchange) Writer() http.ResponseWriter         { return x.c.Response().Writer }
func (x *exchange) SetWriter(w http.ResponseWriter)     { x.c.Response().Writer = w }
func (x *exchange) Route() string                       { return x.c.Path() }
func (x *exchange) Skip() bool                          { return x.cfg.Skipper != nil && x.cfg.Skipper(x.c) }
func (x *exchange) Next() error                         { return x.next(x.c) }

// Refused records strict mode's answer as the response's status and marks
// the response committed: the answer went out beneath echo's Response.
func (x *exchange) Refused(code int) {
	res := x.c.Response()
	res.Status, res.Committed = code, true
}

func (x *exchange) Map(subject string) ([]any, bool, error) {
	if x.cfg.Mapper == nil {
		return nil, false, nil
	}
	v, err := x.cfg.Mapper(x.c, subject)
	return v, true, err
}

func (x *exchange) Fail(err error) (error, bool) {
	if x.cfg.ErrorHandler == nil {
		return nil, false
	}
	if res := x.c.Response(); !res.Committed {
		// echo sends a body written without a status with
		// Response.Status, 200 until then: a refusal is never a success.
		res.Status = middleware.StatusOf(err)
	}
	ret := x.cfg.ErrorHandler(x.c, err)
	if !x.c.Response().Committed && (ret == nil || errors.Is(ret, err)) {
		// It wrote nothing, and left echo nothing to write (the refusal
		// would go out as 200) or handed the refusal back (echo would
		// answer 500, with err's text in its Debug mode): the Auth's
		// answer is written instead.
		return nil, false
	}
	return ret, true
}

// runner is the framework-neutral form of a check of package middleware:
// every handler its checks return is one.
func runner(h http.Handler) flow.Runner { return h.(flow.Runner) }

// check returns the echo middleware that runs the check r with cfg. In a
// dry run of the Audit it records that a check is there and stops.
func check(r flow.Runner, cfg Config) echo.MiddlewareFunc {
	s := &stage{r: r, cfg: &cfg}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if auditing(c) {
				auditCheck(c)
				return nil
			}
			return run(s.r, s.cfg, c, next)
		}
	}
}

// stage is a check and the Config it runs with, in one value that the
// handler of each request captures: echo calls a middleware function
// (e.Use's on every request, a route's on every request too) to make that
// handler, a closure, and with next and one pointer it takes 24 bytes
// where the check, the Config and next took 48.
type stage struct {
	r   flow.Runner
	cfg *Config
}
