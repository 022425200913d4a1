package multi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
)

// ErrConfig is wrapped by Wrap's error for a combination that cannot be
// built. It matches warden.ErrInvalid.
var ErrConfig = warden.NewError(warden.ErrInvalid, "multi: invalid configuration")

// ErrAllFailed is wrapped when every source of a best-effort union failed.
var ErrAllFailed = warden.NewError(warden.ErrUnavailable, "multi: every source failed")

type config struct {
	intersect  bool
	bestEffort bool
	onError    func(source int, err error)
}

// Option configures a combination. Wrap refuses a combination that cannot
// be built with an error wrapping ErrConfig.
type Option func(*config) error

// Intersection makes the combination answer only what every source answers,
// in the order of the first source, plus every deny entry ("!posts:delete",
// a permission string of package permission) that any source answers: an
// intersection grants no more than each source, and dropping one source's
// deny would grant what that source refuses.
func Intersection() Option { return func(c *config) error { c.intersect = true; return nil } }

// WithBestEffort lets a union skip sources that fail, as long as at least
// one answers; onError (may be nil) is told which source failed and why, so
// that the failure is logged rather than hidden. Not allowed with
// Intersection. Use it only where the answer feeds decisions of a model
// that enforcer.Monotone accepts: under a deny rule, a skipped source could
// hide the group the rule names and turn a deny into an allow.
func WithBestEffort(onError func(source int, err error)) Option {
	return func(c *config) error { c.bestEffort, c.onError = true, onError; return nil }
}

// Wrap returns one provider that asks every source concurrently and
// combines the answers. Without WithBestEffort, the first error cancels the
// others and is returned, naming the source's index. A source that panics
// fails with an error wrapping adapters.ErrProviderPanic, like any failing
// source. An intersection of permission strings compares them as text:
// "posts:*" from one source and "posts:read" from another have nothing in
// common. Wrap fails, with an error wrapping ErrConfig (which matches
// warden.ErrInvalid), for no sources, a nil one or options that contradict
// each other.
func Wrap(sources []warden.Provider, opts ...Option) (warden.Provider, error) {
	var c config
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("%w: no sources", ErrConfig)
	}
	if c.intersect && c.bestEffort {
		return nil, fmt.Errorf("%w: best effort would widen an intersection when a source fails", ErrConfig)
	}
	for i, s := range sources {
		if s == nil {
			return nil, fmt.Errorf("%w: source %d is nil", ErrConfig, i)
		}
	}
	// Sources run in goroutines of their own, where a panic could not be
	// recovered by the caller and would end the process.
	safe := make([]warden.Provider, len(sources))
	for i, s := range sources {
		safe[i] = adapters.Recover(s)
	}
	sources = safe
	return warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		lists, errs := fetchAll(ctx, tok, sources, !c.bestEffort)
		var ok [][]string
		var failed []error
		for i, err := range errs {
			if err == nil {
				ok = append(ok, lists[i])
				continue
			}
			err = fmt.Errorf("multi: source %d: %w", i, err)
			if !c.bestEffort {
				return nil, err
			}
			if c.onError != nil {
				c.onError(i, err)
			}
			failed = append(failed, err)
		}
		if len(ok) == 0 {
			return nil, fmt.Errorf("%w: %w", ErrAllFailed, errors.Join(failed...))
		}
		if c.intersect {
			return intersect(ok), nil
		}
		var all []string
		for _, l := range ok {
			all = append(all, l...)
		}
		return adapters.Dedup(all), nil
	}), nil
}

// fetchAll runs every source concurrently. With failFast, the first error
// cancels the rest; the first error in source order is what the caller
// reports, and the others are cancellations caused by it.
func fetchAll(ctx context.Context, tok *warden.Token, sources []warden.Provider, failFast bool) ([][]string, []error) {
	if len(sources) == 1 {
		l, err := sources[0].Fetch(ctx, tok)
		return [][]string{l}, []error{err}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lists := make([][]string, len(sources))
	errs := make([]error, len(sources))
	firstErr := -1
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, s := range sources {
		wg.Go(func() {
			l, err := s.Fetch(ctx, tok)
			lists[i], errs[i] = l, err
			if err != nil && failFast {
				mu.Lock()
				if firstErr < 0 {
					firstErr = i
				}
				mu.Unlock()
				cancel()
			}
		})
	}
	wg.Wait()
	if failFast && firstErr >= 0 {
		// Report the error that caused the cancellation, not a
		// context.Canceled of a source that was cut short by it.
		for i := range errs {
			if i != firstErr {
				errs[i] = nil
			}
		}
	}
	return lists, errs
}

func intersect(lists [][]string) []string {
	out := adapters.Dedup(lists[0])
	for _, l := range lists[1:] {
		in := make(map[string]struct{}, len(l))
		for _, s := range l {
			in[s] = struct{}{}
		}
		kept := out[:0]
		for _, s := range out {
			if _, ok := in[s]; ok || strings.HasPrefix(s, "!") {
				kept = append(kept, s)
			}
		}
		out = kept
	}
	// A deny entry narrows what its source grants: the combination must
	// not grant more than any source, so every source's denies stand,
	// whichever sources also name them.
	for _, l := range lists[1:] {
		for _, s := range l {
			if strings.HasPrefix(s, "!") {
				out = append(out, s)
			}
		}
	}
	return adapters.Dedup(out)
}
