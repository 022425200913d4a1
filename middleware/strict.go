package middleware

import (
	"bufio"
	"errors"
	"log/slog"
	"net"
	"net/http"

	"github.com/wardenhq/warden/middleware/internal/flow"
)

// Strict is middleware, outermost in the chain, that refuses to send a
// response for a request no decision, guard or public marker has checked:
// such a response is replaced by 403 and the route is logged. It catches
// the route that was added without a check, which would otherwise be open.
// Error responses of this package and routes declared WithPublic count as
// checked.
func (a *Auth) Strict(next http.Handler) http.Handler {
	if a == nil {
		panic("middleware: Strict on a nil *Auth")
	}
	return (&step{a: a, kind: stepStrict}).middleware(next)
}

// strict runs the rest of the chain behind a strictWriter. An error the
// framework's next handler returns for a request that stayed unchecked is
// dropped: a framework's error handler would write it without the marker.
func (a *Auth) strict(x flow.Exchange, r *http.Request, st *state) error {
	route := x.Route()
	if a.IsPublicRequest(r, route) {
		st.checked.Store(true)
	}
	sw := &st.sw
	if st.swSet { // a second Strict in the chain: its own writer
		sw = new(strictWriter)
	}
	st.swSet = true
	*sw = strictWriter{ResponseWriter: x.Writer(), st: st, r: r, a: a, route: route}
	x.SetWriter(sw)
	err := x.Next()
	if err != nil && !st.checked.Load() {
		err = nil
	}
	if !sw.wrote && !sw.refused && !st.checked.Load() {
		sw.refuse()
	}
	return err
}

// strictWriter holds back the first write of an unchecked request.
type strictWriter struct {
	http.ResponseWriter
	st      *state
	r       *http.Request
	a       *Auth
	route   string // the route served, when the framework routed before Strict
	wrote   bool
	refused bool
}

// allow decides, at the first write, whether the response may go out.
func (w *strictWriter) allow() bool {
	switch {
	case w.refused:
		return false
	case w.wrote:
		return true
	case !w.st.checked.Load():
		w.refuse()
		return false
	}
	w.wrote = true
	return true
}

func (w *strictWriter) refuse() {
	w.refused = true
	pattern := w.r.Pattern // net/http: set by the ServeMux behind Strict
	if w.route != "" {
		pattern = w.r.Method + " " + w.route
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
	defer func() {           // a panicking error handler leaves the answer to the default one
		if recover() != nil {
			DefaultErrorHandler(w.ResponseWriter, w.r, ErrUnchecked)
		}
	}()
	w.a.onError(w.ResponseWriter, w.r, ErrUnchecked)
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
