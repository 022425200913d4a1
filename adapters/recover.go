package adapters

import (
	"context"
	"fmt"
	"log/slog"
	"math/bits"
	"runtime/debug"
	"sync/atomic"

	"github.com/wardenhq/warden"
)

// ErrProviderPanic is wrapped by the error of a fetch whose provider
// panicked. A panic is a bug in the provider, but on the decision path it
// must become an error (the caller denies), never a crash: a wrapper that
// runs a provider in its own goroutine (cache, timeout, multi) would
// otherwise take the whole process down, since no caller can recover a
// panic raised in another goroutine.
var ErrProviderPanic = warden.NewError(warden.ErrUnavailable, "adapters: provider panicked")

// PanicError is the error Recover returns for a panic. It matches
// ErrProviderPanic with errors.Is, and, when the panic value is an error,
// that error too.
type PanicError struct {
	// Value is what the provider passed to panic.
	Value any
	// Stack is the provider's goroutine stack at the panic, for logs.
	Stack []byte
}

// Error names the panic value, never the stack (it goes in logs on demand).
func (e *PanicError) Error() string { return fmt.Sprintf("%v: %v", ErrProviderPanic, e.Value) }

// Unwrap returns ErrProviderPanic and, if the panic value is an error, it.
func (e *PanicError) Unwrap() []error {
	if err, ok := e.Value.(error); ok {
		return []error{ErrProviderPanic, err}
	}
	return []error{ErrProviderPanic}
}

// Recover returns p with any panic in its Fetch turned into a *PanicError
// (and a nil list). Wrappers apply it to the provider they were given, so a
// panicking provider fails its fetch instead of crashing the process.
func Recover(p warden.Provider) warden.Provider {
	return recovered{p}
}

// recovered is a provider whose panics are errors.
type recovered struct{ p warden.Provider }

func (r recovered) Fetch(ctx context.Context, tok *warden.Token) (list []string, err error) {
	defer func() {
		if v := recover(); v != nil {
			list, err = nil, &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return r.p.Fetch(ctx, tok)
}

// RecoverObserver returns f wrapped so that a panic in it is recovered and
// logged, and the wrapper returns as if f had: for the observers of the
// wrappers (cache.WithObserver, breaker.WithObserver), which report to
// metrics and logs from the request's path. An observer is telemetry; a
// bug in it must not crash the process, fail a request, or change an
// answer that was already decided without it, so the caller goes on with
// the result it had. name says whose observer it is in the log. The first
// panic is logged at error level with its value and stack, then the 2nd,
// 4th, 8th... with the count so far (one broken observer on a hot path
// must not flood the log); logger nil means slog.Default() at the time of
// the panic. A nil f gives nil.
func RecoverObserver[E any](name string, f func(E), logger *slog.Logger) func(E) {
	if f == nil {
		return nil
	}
	var panics atomic.Uint64
	return func(e E) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			n := panics.Add(1)
			if bits.OnesCount64(n) != 1 { // log when n is a power of two
				return
			}
			l := logger
			if l == nil {
				l = slog.Default()
			}
			attrs := []any{"observer", name, "panic", fmt.Sprint(v), "panics", n}
			if n == 1 {
				attrs = append(attrs, "stack", string(debug.Stack()))
			}
			l.Error("adapters: an observer panicked; the panic is ignored and the answer stands", attrs...)
		}()
		f(e)
	}
}
