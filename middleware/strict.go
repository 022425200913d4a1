package middleware

import (
	"bufio"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/wardenhq/warden/middleware/internal/flow"
)

// Strict is middleware, outermost in the chain, that refuses to send a
// response for a request no decision, guard or public marker has checked:
// such a response is replaced by 403 and the route is logged. It catches
// the route that was added without a check, which would otherwise be open.
// Error responses of this package and routes declared WithPublic count as
// checked.
//
// Put Strict directly around the router, and any middleware that copies the
// request (r.WithContext, as request loggers and tracing middleware do)
// outside it. net/http's ServeMux records the route it chose on the request
// it is handed (r.Pattern): behind such a copy Strict never learns the
// route, and judges a path declared WithPublic by its path alone, as for a
// router that reports no route (so a catch-all pattern that serves a public
// path counts as public there; see IsPublicRequest).
//
// Strict judges a request by the state its context carries: a request a
// handler serves in-process under its own request's context (a batch
// endpoint's parts) would be judged by the outer request's checks. Serve
// it under Detach(r.Context()).
func (a *Auth) Strict(next http.Handler) http.Handler {
	if a == nil {
		panic("middleware: Strict on a nil *Auth")
	}
	return (&step{a: a, kind: stepStrict}).middleware(next)
}

// strict runs the rest of the chain behind a strictWriter. An error the
// framework's next handler returns for a request that stayed unchecked is
// dropped: a framework's error handler would write it without the marker.
//
// Whether the request is for a route declared public is judged when the
// response is about to go out, on the route that serves it: Strict runs
// outermost, before net/http's ServeMux (or echo's router, under e.Pre)
// has chosen the route, and a path declared public that a pattern such as
// /{slug} serves is not public (see IsPublicRequest).
func (a *Auth) strict(x flow.Exchange, r *http.Request, st *state) error {
	sw := &st.sw
	if st.swSet { // a second Strict in the chain: its own writer
		sw = new(strictWriter)
	}
	st.swSet = true
	*sw = strictWriter{ResponseWriter: x.Writer(), st: st, r: r, a: a, x: x}
	x.SetWriter(sw)
	// A panic of the rest of the chain passes through, to the recovery
	// middleware of the application, which may answer it (a 500) through
	// the writer beneath sw: that shares the header map, so the headers an
	// unchecked request set (a session cookie) are dropped first. Once sw
	// refused the response, what the handler set in the map since is
	// sent only as a trailer (a key with http.TrailerPrefix: HTTP/2 sends
	// one undeclared, HTTP/1.1 after a chunked body), which is dropped.
	returned := false
	defer func() {
		switch {
		case sw.refused:
			h := sw.ResponseWriter.Header()
			for k := range h {
				if strings.HasPrefix(k, http.TrailerPrefix) {
					delete(h, k)
				}
			}
		case !returned && !st.checked.Load():
			clear(sw.ResponseWriter.Header())
		}
	}()
	err := x.Next()
	returned = true
	sw.markPublic()
	// x is the framework's for this step only: a write after it (from a
	// goroutine the handler left behind) judges on the route known now.
	// The route is read only to find a public route, or to log a refusal,
	// and a checked request is never refused: without public routes, a
	// checked request need not ask the framework.
	if a.hasPublic() || !st.checked.Load() {
		sw.route = sw.currentRoute()
	}
	sw.x = nil
	if err != nil && !st.checked.Load() {
		err = nil
	}
	if !sw.wrote && !sw.refused && !st.checked.Load() {
		x.Refused(sw.refuse())
	}
	return err
}

// strictWriter holds back the first write of an unchecked request.
type strictWriter struct {
	http.ResponseWriter
	st      *state
	r       *http.Request
	a       *Auth
	x       flow.Exchange // the exchange, while Strict's step runs
	route   string        // the route served, once Strict's step has returned
	wrote   bool
	refused bool
}

// currentRoute returns the route that serves the request as far as the
// framework has chosen it ("" when it has not, or cannot say).
func (w *strictWriter) currentRoute() string {
	if w.x != nil {
		return w.x.Route()
	}
	return w.route
}

// markPublic marks an unchecked request checked when it is for a route
// declared public, judged on the route that serves it now.
func (w *strictWriter) markPublic() {
	if !w.st.checked.Load() && w.a.hasPublic() && w.a.IsPublicRequest(w.r, w.currentRoute()) {
		w.st.checked.Store(true)
	}
}

// allow decides, at the first write, whether the response may go out.
func (w *strictWriter) allow() bool {
	switch {
	case w.refused:
		return false
	case w.wrote:
		return true
	}
	w.markPublic()
	if !w.st.checked.Load() {
		code := w.refuse()
		if w.x != nil { // during Strict's step; a late write has no exchange
			w.x.Refused(code)
		}
		return false
	}
	w.wrote = true
	return true
}

// refuse answers ErrUnchecked instead of the response, and returns the
// status it answered with.
func (w *strictWriter) refuse() int {
	w.refused = true
	pattern := w.r.Pattern // net/http: set by the ServeMux behind Strict
	if route := w.currentRoute(); route != "" && pattern == "" {
		pattern = w.r.Method + " " + route
	}
	w.a.logger.LogAttrs(w.r.Context(), slog.LevelError, "strict mode: response without authorization check refused",
		slog.String("request_id", w.st.requestID()), slog.String("method", w.r.Method),
		slog.String("path", w.r.URL.Path), slog.String("pattern", pattern))
	// Headers the handler set (cookies, caching) must not leak into the 403.
	h := w.ResponseWriter.Header()
	for k := range h {
		delete(h, k)
	}
	w.st.checked.Store(true) // lets the error response itself through
	aw := &answerWriter{ResponseWriter: w.ResponseWriter, status: StatusOf(ErrUnchecked)}
	w.a.safeAnswer(aw, w.r, ErrUnchecked)
	return aw.code
}

func (w *strictWriter) WriteHeader(code int) {
	if w.allow() {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *strictWriter) Write(b []byte) (int, error) {
	if !w.allow() {
		return 0, ErrUnchecked
	}
	return w.ResponseWriter.Write(b)
}

// Flush sends buffered data only for a checked response.
func (w *strictWriter) Flush() {
	if w.allow() {
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// Hijack hands over the connection only for a checked request.
func (w *strictWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.allow() {
		return nil, nil, ErrUnchecked
	}
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("middleware: response writer cannot hijack")
	}
	return h.Hijack()
}

// Unwrap lets http.ResponseController reach deadlines and the like.
func (w *strictWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
