package middleware

import (
	"context"
	"errors"
	"log/slog"
)

// The Auth's logger is the application's: its handler, and the writer
// beneath it, run on the decision path (refusals, the decision log). One
// that panics there would drop the connection instead of answering, as a
// panicking provider, mapper or error handler would, and those are
// recovered; so is the log. A log line is not worth a request: a line
// whose handler panics is lost, and the request is answered as without it.

// errLogPanic is what Handle returns for a handler that panicked.
var errLogPanic = errors.New("middleware: log handler panicked")

// recoveringHandler is an application's slog.Handler with its panics
// stopped.
type recoveringHandler struct{ h slog.Handler }

// recovering returns l with its handler's panics stopped (slog.Default()
// for a nil l).
func recovering(l *slog.Logger) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	return slog.New(recoveringHandler{l.Handler()})
}

// Enabled is h's, false when it panics: nothing is logged then.
func (s recoveringHandler) Enabled(ctx context.Context, level slog.Level) (on bool) {
	defer func() {
		if recover() != nil {
			on = false
		}
	}()
	return s.h.Enabled(ctx, level)
}

// Handle is h's; a panic loses the line.
func (s recoveringHandler) Handle(ctx context.Context, r slog.Record) (err error) {
	defer func() {
		if recover() != nil {
			err = errLogPanic
		}
	}()
	return s.h.Handle(ctx, r)
}

// WithAttrs is h's, a handler that logs nothing when it panics: lines
// without the attributes asked for would mislead.
func (s recoveringHandler) WithAttrs(attrs []slog.Attr) (h slog.Handler) {
	defer func() {
		if recover() != nil {
			h = slog.DiscardHandler
		}
	}()
	return recoveringHandler{s.h.WithAttrs(attrs)}
}

// WithGroup is h's, as WithAttrs.
func (s recoveringHandler) WithGroup(name string) (h slog.Handler) {
	defer func() {
		if recover() != nil {
			h = slog.DiscardHandler
		}
	}()
	return recoveringHandler{s.h.WithGroup(name)}
}
