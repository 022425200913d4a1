package overhead

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/cputime"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

// Serve builds one framework's app: GET Path answering 204 behind Strict
// and Authorize of a (with the Auth's default mapper), or with a nil the
// bare app with the same route and handler.
type Serve func(a *middleware.Auth) http.Handler

// The request every part is measured on.
const (
	Path    = "/data500"
	subject = "user50001" // in group5000, which may GET /data500
	issuer  = "https://issuer.example"
	aud     = "bench"
)

var groups = []string{"staff"} // the token's groups claim

// Enforcer holds the 110,000 rules over the embedded RBAC model: group i
// may GET /data{i/10}, user i is in group i/10.
func Enforcer(b testing.TB) *enforcer.Enforcer {
	m, err := models.Load(models.RBAC)
	if err != nil {
		b.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil, enforcer.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	rules := make([]enforcer.Rule, 0, 110_000)
	for i := range 10_000 {
		rules = append(rules, enforcer.P(fmt.Sprintf("group%d", i), fmt.Sprintf("/data%d", i/10), "GET"))
	}
	for i := range 100_000 {
		rules = append(rules, enforcer.G(fmt.Sprintf("user%d", i), fmt.Sprintf("group%d", i/10)))
	}
	if _, err := e.AddRules(context.Background(), rules...); err != nil {
		b.Fatal(err)
	}
	return e
}

// floorKey keys the floor's context value.
type floorKey struct{}

// Run runs the parts and the full request against serve.
func Run(b *testing.B, serve Serve) {
	key := jwttest.Secret(b)
	secret := key.Signer.([]byte)
	e := Enforcer(b)
	verifier := func(opts ...token.Option) *token.Verifier {
		v, err := token.New(context.Background(), append([]token.Option{token.WithHMACSecret(secret),
			token.WithIssuer(issuer), token.WithAudience(aud)}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = v.Close() })
		return v
	}
	v, nocache := verifier(), verifier(token.WithCache(0))
	raw := key.Sign(b, jwt.MapClaims{"iss": issuer, "aud": aud, "sub": subject, "groups": groups,
		"iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix()})
	newAuth := func(v *token.Verifier, logger *slog.Logger, sampling int) *middleware.Auth {
		a, err := middleware.New(middleware.WithVerifier(v), middleware.WithDecider(e),
			middleware.WithGroups(token.ClaimGroups("groups")), middleware.WithLogger(logger),
			middleware.WithDecisionLogSampling(sampling))
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	bare := serve(nil)
	// floor is the bare app behind the least any middleware does to hand
	// its handler request-scoped data through the request's context, as
	// Warden hands the caller: one context value, and the request copy
	// r.WithContext must make. What it costs over bare is the part of the
	// overhead no such middleware can avoid on this heap.
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bare.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), floorKey{}, subject)))
	})
	full := serve(newAuth(v, slog.New(slog.DiscardHandler), 0))
	fullNocache := serve(newAuth(nocache, slog.New(slog.DiscardHandler), 0))
	logged := serve(newAuth(v, slog.New(middleware.NewJSONHandler(io.Discard, nil)), 1))
	loggedSlog := serve(newAuth(v, slog.New(slog.NewJSONHandler(io.Discard, nil)), 1))

	req := httptest.NewRequest("GET", Path, nil)
	req.Header.Set("Authorization", "Bearer "+raw)
	request := func(h http.Handler) func() {
		return func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusNoContent {
				panic(fmt.Sprintf("status %d: %s", rec.Code, rec.Body))
			}
		}
	}
	signing, sig := raw[:strings.LastIndexByte(raw, '.')], raw[strings.LastIndexByte(raw, '.')+1:]
	sigBytes, err := jwt.NewParser().DecodeSegment(sig)
	if err != nil {
		b.Fatal(err)
	}
	dreq := enforcer.Request{Values: []any{subject, Path, "GET"}, Groups: groups}
	ctx := context.Background()
	parts := []struct {
		name string
		fn   func()
	}{
		{"bare", request(bare)},
		{"floor", request(floor)},
		{"hmac", func() {
			if err := jwt.SigningMethodHS256.Verify(signing, sigBytes, secret); err != nil {
				panic(err)
			}
		}},
		{"verify", func() {
			if _, err := v.Verify(ctx, raw); err != nil {
				panic(err)
			}
		}},
		{"verify-nocache", func() {
			if _, err := nocache.Verify(ctx, raw); err != nil {
				panic(err)
			}
		}},
		{"decide", func() {
			if d, err := e.Decide(ctx, dreq); err != nil || !d.Allowed {
				panic(fmt.Sprint("denied: ", err))
			}
		}},
		// bare-decide is the bare app after the same decision, made by
		// hand in the same request: what an application that calls the
		// enforcer itself pays for the decision, which runs colder
		// there than in decide's loop (the request's other work
		// and the collector evict what the decision reads).
		{"bare-decide", request(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if d, err := e.Decide(r.Context(), dreq); err != nil || !d.Allowed {
				panic(fmt.Sprint("denied: ", err))
			}
			bare.ServeHTTP(w, r)
		}))},
		{"full", request(full)},
		{"full-nocache", request(fullNocache)},
		{"log", request(logged)},
		{"log-slog", request(loggedSlog)},
	}
	ns, cpu := map[string]float64{}, map[string]float64{}
	allocs := map[string]float64{}
	part := func(name string) func() {
		for _, p := range parts {
			if p.name == name {
				return p.fn
			}
		}
		panic(name)
	}
	// loop runs fn under b and records its wall and CPU time per call.
	loop := func(b *testing.B, name string) {
		fn := part(name)
		start := cputime.Process()
		for b.Loop() {
			fn()
		}
		ns[name] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		cpu[name] = float64((cputime.Process() - start).Nanoseconds()) / float64(b.N)
	}
	// measure runs a part that this run has not measured yet (a -bench
	// filter left it out) n times, inline: testing.Benchmark cannot run
	// here, it waits for the benchmark lock the running benchmark holds.
	measure := func(name string, n int) {
		if _, ok := ns[name]; ok {
			return
		}
		fn := part(name)
		n = max(n, 10_000)
		start, startCPU := time.Now(), cputime.Process()
		for range n {
			fn()
		}
		ns[name] = float64(time.Since(start).Nanoseconds()) / float64(n)
		cpu[name] = float64((cputime.Process() - startCPU).Nanoseconds()) / float64(n)
	}
	// report reports what is left of name once the parts less are taken
	// away, in wall time, CPU time and allocations, and beside it the
	// floor's cost over bare.
	report := func(b *testing.B, name string, less ...string) {
		w, c, a := ns[name], cpu[name], allocs[name]
		for _, l := range less {
			measure(l, b.N)
			w, c, a = w-ns[l], c-cpu[l], a-allocs[l]
		}
		b.ReportMetric(w, "overhead-ns/op")
		b.ReportMetric(c, "overhead-cpu-ns/op")
		b.ReportMetric(a, "overhead-allocs/op")
		// The overhead in HS256 signature checks of the same run: a
		// figure machines of other speeds can compare. The issue's
		// target, 500 ns where the check took 455 ns, is 1.10.
		measure("hmac", b.N)
		b.ReportMetric(w/ns["hmac"], "overhead/hmac")
		measure("floor", b.N)
		b.ReportMetric(ns["floor"]-ns["bare"], "floor-ns/op")
		b.ReportMetric(cpu["floor"]-cpu["bare"], "floor-cpu-ns/op")
	}
	for _, p := range parts {
		allocs[p.name] = testing.AllocsPerRun(200, p.fn)
	}
	for _, p := range parts {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			loop(b, p.name)
			b.ReportMetric(cpu[p.name], "cpu-ns/op")
			switch p.name {
			case "full":
				report(b, "full", "bare", "decide")
				measure("bare-decide", b.N)
				b.ReportMetric(ns["full"]-ns["bare-decide"], "own-ns/op")
				b.ReportMetric(cpu["full"]-cpu["bare-decide"], "own-cpu-ns/op")
				b.ReportMetric(ns["bare-decide"]-ns["bare"], "decide-in-request-ns/op")
			case "full-nocache":
				report(b, "full-nocache", "bare", "decide", "hmac")
			case "log", "log-slog":
				measure("full", b.N)
				b.ReportMetric(ns[p.name]-ns["full"], "log-ns/op")
				b.ReportMetric(cpu[p.name]-cpu["full"], "log-cpu-ns/op")
			}
		})
	}
}
