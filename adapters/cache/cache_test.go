package cache_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/cache"
)

// counting is an upstream that answers "<identity>-group" and counts calls.
type counting struct {
	calls atomic.Int64
	fail  atomic.Bool
}

func (s *counting) fetch(_ context.Context, tok *warden.Token) ([]string, error) {
	s.calls.Add(1)
	if s.fail.Load() {
		return nil, errors.New("upstream down")
	}
	return []string{tok.Identity + "-group", tok.Identity + "-group"}, nil
}

// clock is a manual clock for expiry tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func tok(id string) *warden.Token { return &warden.Token{Identity: id, Raw: "raw-" + id} }

func TestHitAndDedup(t *testing.T) {
	src := &counting{}
	c := newCache(src.fetch)
	ctx := context.Background()
	for range 3 {
		got, err := c.Fetch(ctx, tok("alice"))
		if err != nil || !reflect.DeepEqual(got, []string{"alice-group"}) {
			t.Fatalf("got %v, %v", got, err)
		}
	}
	if n := src.calls.Load(); n != 1 {
		t.Fatalf("upstream calls = %d, want 1", n)
	}
}

func TestKeyedByIdentityNotToken(t *testing.T) {
	src := &counting{}
	c := newCache(src.fetch)
	ctx := context.Background()
	c.Fetch(ctx, &warden.Token{Identity: "alice", Raw: "token-1"})
	got, _ := c.Fetch(ctx, &warden.Token{Identity: "alice", Raw: "token-2"})
	if src.calls.Load() != 1 || got[0] != "alice-group" {
		t.Fatalf("a new token of the same identity missed: calls=%d", src.calls.Load())
	}
	got, _ = c.Fetch(ctx, &warden.Token{Identity: "bob", Raw: "token-1"})
	if got[0] != "bob-group" {
		t.Fatalf("same raw token, other identity got %v", got)
	}
	if _, err := c.Fetch(ctx, &warden.Token{Raw: "token-1"}); !errors.Is(err, adapters.ErrNoIdentity) {
		t.Fatalf("token without identity: err = %v", err)
	}
}

func TestCallerCannotMutateCache(t *testing.T) {
	src := &counting{}
	c := newCache(src.fetch)
	got, _ := c.Fetch(context.Background(), tok("alice"))
	got[0] = "admin"
	again, _ := c.Fetch(context.Background(), tok("alice"))
	if again[0] != "alice-group" {
		t.Fatalf("cached entry changed through a returned slice: %v", again)
	}
}

// The upstream answers only once all 100 callers are waiting for a load, so
// they are all concurrent misses; singleflight must make them share one call.
func TestHundredConcurrentMissesMakeOneCall(t *testing.T) {
	const callers = 100
	var calls, waiting atomic.Int64
	allWaiting := make(chan struct{})
	ev := &events{}
	c := newCache(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		n := calls.Add(1)
		<-allWaiting
		return []string{fmt.Sprintf("g%d", n)}, nil
	}, cache.WithObserver(ev.observe))
	cache.SetTestHooks(c, func() {
		if waiting.Add(1) == callers {
			close(allWaiting)
		}
	}, nil)
	var wg sync.WaitGroup
	answers := make(chan string, callers)
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			got, err := c.Fetch(context.Background(), tok("alice"))
			if err == nil && len(got) != 1 {
				err = fmt.Errorf("got %v", got)
			}
			if err != nil {
				errs <- err
				return
			}
			answers <- got[0]
		})
	}
	wg.Wait()
	close(errs)
	close(answers)
	for err := range errs {
		t.Fatal(err)
	}
	count := 0
	for a := range answers {
		count++
		if a != "g1" {
			t.Fatalf("answer %q, want every caller to get the one call's answer g1", a)
		}
	}
	if n := calls.Load(); n != 1 || count != callers {
		t.Fatalf("upstream calls = %d, answers = %d; want 1 and %d", n, count, callers)
	}
	// The observer says so: the caller that started the load missed, the
	// 99 that waited for it joined.
	if miss, joined := ev.count(cache.Miss, false), ev.count(cache.Joined, false); miss != 1 || joined != callers-1 {
		t.Fatalf("observer: miss = %d, joined = %d; want 1 and %d", miss, joined, callers-1)
	}
}

func TestTTL(t *testing.T) {
	src := &counting{}
	clk := &clock{t: time.Unix(0, 0)}
	c := newCache(src.fetch, cache.WithTTL(time.Minute), cache.WithClock(clk.now))
	c.Fetch(context.Background(), tok("alice"))
	clk.add(59 * time.Second)
	c.Fetch(context.Background(), tok("alice"))
	if src.calls.Load() != 1 {
		t.Fatalf("expired early: calls=%d", src.calls.Load())
	}
	clk.add(time.Second)
	c.Fetch(context.Background(), tok("alice"))
	if src.calls.Load() != 2 {
		t.Fatalf("did not expire: calls=%d", src.calls.Load())
	}
}

func TestSizeBound(t *testing.T) {
	src := &counting{}
	c := newCache(src.fetch, cache.WithSize(2))
	ctx := context.Background()
	c.Fetch(ctx, tok("a"))
	c.Fetch(ctx, tok("b"))
	c.Fetch(ctx, tok("a")) // a is now most recently used
	c.Fetch(ctx, tok("c")) // evicts b
	if c.Len() != 2 {
		t.Fatalf("Len = %d, want 2", c.Len())
	}
	c.Fetch(ctx, tok("a"))
	if src.calls.Load() != 3 {
		t.Fatalf("a was evicted: calls=%d", src.calls.Load())
	}
	c.Fetch(ctx, tok("b"))
	if src.calls.Load() != 4 {
		t.Fatalf("b was not evicted: calls=%d", src.calls.Load())
	}
}

func TestErrorsNotCachedByDefault(t *testing.T) {
	src := &counting{}
	src.fail.Store(true)
	c := newCache(src.fetch)
	for range 2 {
		if got, err := c.Fetch(context.Background(), tok("alice")); err == nil || got != nil {
			t.Fatalf("got %v, %v; want error and nil list", got, err)
		}
	}
	if src.calls.Load() != 2 {
		t.Fatalf("error was cached: calls=%d", src.calls.Load())
	}
	src.fail.Store(false)
	if got, err := c.Fetch(context.Background(), tok("alice")); err != nil || got[0] != "alice-group" {
		t.Fatalf("after recovery got %v, %v", got, err)
	}
}

func TestNegativeTTL(t *testing.T) {
	src := &counting{}
	src.fail.Store(true)
	clk := &clock{t: time.Unix(0, 0)}
	c := newCache(src.fetch, cache.WithNegativeTTL(time.Second), cache.WithClock(clk.now))
	for range 3 {
		if _, err := c.Fetch(context.Background(), tok("alice")); err == nil {
			t.Fatal("want the cached error")
		}
	}
	if src.calls.Load() != 1 {
		t.Fatalf("negative entry not used: calls=%d", src.calls.Load())
	}
	src.fail.Store(false)
	clk.add(time.Second)
	if got, err := c.Fetch(context.Background(), tok("alice")); err != nil || got[0] != "alice-group" {
		t.Fatalf("negative entry did not expire: %v, %v", got, err)
	}
}

func TestInvalidate(t *testing.T) {
	src := &counting{}
	c := newCache(src.fetch)
	ctx := context.Background()
	c.Fetch(ctx, tok("a"))
	c.Fetch(ctx, tok("b"))
	c.Invalidate("a")
	c.Fetch(ctx, tok("a"))
	c.Fetch(ctx, tok("b"))
	if src.calls.Load() != 3 {
		t.Fatalf("after Invalidate(a): calls=%d, want 3", src.calls.Load())
	}
	c.InvalidateAll()
	c.Fetch(ctx, tok("a"))
	c.Fetch(ctx, tok("b"))
	if src.calls.Load() != 5 {
		t.Fatalf("after InvalidateAll: calls=%d, want 5", src.calls.Load())
	}
}

func TestInvalidateDuringLoadDropsStaleAnswer(t *testing.T) {
	var calls atomic.Int64
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	c := newCache(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		n := calls.Add(1)
		if n == 1 {
			started <- struct{}{}
			<-release
			return []string{"stale"}, nil
		}
		return []string{"fresh"}, nil
	})
	done := make(chan []string)
	go func() {
		got, _ := c.Fetch(context.Background(), tok("alice"))
		done <- got
	}()
	<-started
	c.Invalidate("alice")
	close(release)
	if got := <-done; got[0] != "stale" {
		t.Fatalf("first caller got %v", got)
	}
	got, _ := c.Fetch(context.Background(), tok("alice"))
	if got[0] != "fresh" {
		t.Fatalf("stale answer stored after Invalidate: %v", got)
	}
}

func TestCallerContextEndsWait(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c := newCache(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		<-release
		return []string{"g"}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Fetch(ctx, tok("alice")); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// newCache is cache.Wrap over a plain function, for options known to be
// good.
func newCache(f warden.ProviderFunc, opts ...cache.Option) *cache.Cache {
	c, err := cache.Wrap(f, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

func ExampleWrap() {
	var calls int
	upstream := warden.ProviderFunc(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		calls++
		return []string{"editors"}, nil
	})
	groups, err := cache.Wrap(upstream, cache.WithTTL(30*time.Second), cache.WithSize(1000))
	if err != nil {
		panic(err)
	}
	for range 3 {
		g, _ := groups.Fetch(context.Background(), &warden.Token{Identity: "alice"})
		fmt.Println(g)
	}
	fmt.Println("upstream calls:", calls)
	// Output:
	// [editors]
	// [editors]
	// [editors]
	// upstream calls: 1
}

func BenchmarkHit(b *testing.B) {
	src := &counting{}
	c := newCache(src.fetch)
	ctx := context.Background()
	tk := tok("alice")
	c.Fetch(ctx, tk)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Fetch(ctx, tk); err != nil {
			b.Fatal(err)
		}
	}
}

// One caller giving up must not fail the load that others share: the load
// runs on a context detached from the caller that started it.
func TestLeaderCancelDoesNotFailLoad(t *testing.T) {
	var calls atomic.Int64
	started := make(chan struct{})
	release := make(chan struct{})
	ev := &events{}
	c := newCache(func(ctx context.Context, tok *warden.Token) ([]string, error) {
		calls.Add(1)
		close(started)
		<-release
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return []string{"g"}, nil
	}, cache.WithObserver(ev.observe))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := c.Fetch(ctx, tok("alice"))
		done <- err
	}()
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: err = %v", err)
	}
	// The caller that gave up is told so, and the load it started is
	// still its miss.
	if n := ev.count(cache.Miss, true); n != 1 || len(ev.got) != 1 || !errors.Is(ev.got[0].Err, context.Canceled) {
		t.Fatalf("events %v; want one miss with context.Canceled", ev.got)
	}
	close(release)
	// The load finished and was stored although its starter left.
	deadline := time.Now().Add(5 * time.Second)
	for c.Len() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	got, err := c.Fetch(context.Background(), tok("alice"))
	if err != nil || got[0] != "g" || calls.Load() != 1 {
		t.Fatalf("got %v, %v after %d calls; want the stored answer from 1 call", got, err, calls.Load())
	}
}

// A panicking provider fails the fetch; it must not crash the process from
// singleflight's goroutine, and the next fetch calls the provider again.
func TestProviderPanicIsAnError(t *testing.T) {
	var calls atomic.Int64
	c := newCache(func(context.Context, *warden.Token) ([]string, error) {
		calls.Add(1)
		panic("provider bug")
	})
	for range 2 {
		got, err := c.Fetch(context.Background(), tok("alice"))
		if got != nil || !errors.Is(err, adapters.ErrProviderPanic) {
			t.Fatalf("got %v, %v; want nil and ErrProviderPanic", got, err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("upstream calls = %d, want 2 (a panic is not cached)", n)
	}
}

// Callers right after an invalidation must not join a load that started
// before it (they would get the pre-invalidation answer), and that load
// must not store its answer.
func TestInvalidateDuringLoadStartsNewLoad(t *testing.T) {
	for _, tt := range []struct {
		name       string
		invalidate func(*cache.Cache)
	}{
		{"Invalidate", func(c *cache.Cache) { c.Invalidate("alice") }},
		{"InvalidateAll", func(c *cache.Cache) { c.InvalidateAll() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int64
			started := make(chan struct{})
			release := make(chan struct{})
			c := newCache(func(ctx context.Context, tok *warden.Token) ([]string, error) {
				if calls.Add(1) == 1 {
					close(started)
					<-release
					return []string{"stale"}, nil
				}
				return []string{"fresh"}, nil
			})
			joined := make(chan struct{}, 2)
			cache.SetTestHooks(c, func() { joined <- struct{}{} }, nil)

			first := make(chan []string)
			go func() {
				got, _ := c.Fetch(context.Background(), tok("alice"))
				first <- got
			}()
			<-started
			<-joined
			tt.invalidate(c)

			// The second caller has joined a load before the first one
			// is released: it cannot be waiting on the released answer
			// unless it joined the stale load.
			second := make(chan []string)
			go func() {
				got, _ := c.Fetch(context.Background(), tok("alice"))
				second <- got
			}()
			<-joined
			close(release)
			if got := <-second; len(got) != 1 || got[0] != "fresh" {
				t.Fatalf("caller after %s got %v, want [fresh] from a new load", tt.name, got)
			}
			if got := <-first; len(got) != 1 || got[0] != "stale" {
				t.Fatalf("first caller got %v", got)
			}
			if got, _ := c.Fetch(context.Background(), tok("alice")); got[0] != "fresh" {
				t.Fatalf("after %s the stale answer was cached: %v", tt.name, got)
			}
			if n := calls.Load(); n != 2 {
				t.Fatalf("upstream calls = %d, want 2", n)
			}
		})
	}
}

// An invalidation that comes between a load's generation check and its
// add must still win: the check and the add are one step.
func TestInvalidateBetweenCheckAndAdd(t *testing.T) {
	var calls atomic.Int64
	c := newCache(func(context.Context, *warden.Token) ([]string, error) {
		if calls.Add(1) == 1 {
			return []string{"stale"}, nil
		}
		return []string{"fresh"}, nil
	})
	invalidated := make(chan struct{})
	var once sync.Once
	cache.SetTestHooks(c, nil, func() {
		once.Do(func() {
			go func() {
				c.Invalidate("alice")
				close(invalidated)
			}()
			// Give Invalidate every chance to run now. With the check
			// and the add under one lock it cannot, and waits; without,
			// it completes here and the add below would undo it. Bounded:
			// the lock makes this loop run to its end.
			for range 10000 {
				select {
				case <-invalidated:
					return
				default:
					runtime.Gosched()
				}
			}
		})
	})
	if got, _ := c.Fetch(context.Background(), tok("alice")); got[0] != "stale" {
		t.Fatalf("first fetch got %v", got)
	}
	<-invalidated
	if got, _ := c.Fetch(context.Background(), tok("alice")); got[0] != "fresh" || calls.Load() != 2 {
		t.Fatalf("after Invalidate got %v from %d upstream calls; want [fresh] from a new call", got, calls.Load())
	}
}

// Every option refuses a value it cannot use instead of putting a default
// in its place, and so does a nil provider.
func TestWrapRefusesBadOptions(t *testing.T) {
	src := &counting{}
	for name, opt := range map[string]cache.Option{
		"zero TTL":              cache.WithTTL(0),
		"negative TTL":          cache.WithTTL(-time.Second),
		"zero size":             cache.WithSize(0),
		"negative size":         cache.WithSize(-1),
		"zero negative TTL":     cache.WithNegativeTTL(0),
		"negative load timeout": cache.WithLoadTimeout(-time.Second),
		"nil clock":             cache.WithClock(nil),
		"nil observer":          cache.WithObserver(nil),
	} {
		if c, err := cache.Wrap(warden.ProviderFunc(src.fetch), opt); c != nil || !errors.Is(err, warden.ErrInvalid) {
			t.Errorf("%s: got %v, %v; want nil and warden.ErrInvalid", name, c, err)
		}
	}
	if c, err := cache.Wrap(nil); c != nil || !errors.Is(err, warden.ErrInvalid) {
		t.Errorf("nil provider: got %v, %v", c, err)
	}
}

// events records what a cache's observer is told.
type events struct {
	mu  sync.Mutex
	got []cache.Event
}

func (e *events) observe(ev cache.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, ev)
}

func (e *events) count(r cache.Result, withErr bool) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.got {
		if ev.Result == r && (ev.Err != nil) == withErr {
			n++
		}
	}
	return n
}

func TestObserverHitMissAndErrors(t *testing.T) {
	src := &counting{}
	clk := &clock{t: time.Unix(0, 0)}
	ev := &events{}
	c := newCache(src.fetch, cache.WithObserver(ev.observe), cache.WithNegativeTTL(time.Second), cache.WithClock(clk.now))
	ctx := context.Background()
	c.Fetch(ctx, tok("alice")) // miss
	c.Fetch(ctx, tok("alice")) // hit
	src.fail.Store(true)
	c.Fetch(ctx, tok("bob")) // miss, failing
	c.Fetch(ctx, tok("bob")) // hit on the remembered error
	c.Fetch(ctx, &warden.Token{Raw: "no identity"})
	if got := fmt.Sprint(ev.count(cache.Miss, false), ev.count(cache.Hit, false), ev.count(cache.Miss, true), ev.count(cache.Hit, true)); got != "1 1 1 1" {
		t.Fatalf("miss, hit, failed miss, remembered error = %s; want 1 1 1 1 (events %v)", got, ev.got)
	}
	if len(ev.got) != 4 {
		t.Fatalf("%d events, want 4: a token without identity is refused before the cache", len(ev.got))
	}
}

func TestResultString(t *testing.T) {
	if got := fmt.Sprint(cache.Hit, cache.Joined, cache.Miss); got != "hit joined miss" {
		t.Fatalf("got %q", got)
	}
}
