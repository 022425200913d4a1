// Package overhead measures Warden's own per-request cost in an app of
// 110,000 rules (casbin's large RBAC shape: 10,000 p rules, 100,000 g
// rules), for net/http and echo alike. Each framework's benchmark gives its
// app; Run measures, in the same run, the parts a request is made of and
// reports what is left of the full request once they are taken away:
//
//	bare          the framework with the handler alone
//	floor         bare behind the least any middleware does to hand its
//	              handler request data through the request's context:
//	              one context.WithValue and the copy r.WithContext makes
//	hmac          the HS256 signature check of the token alone
//	verify        token.Verifier.Verify of a token it verified before (a
//	              hit of its cache, the default)
//	verify-nocache  the same with WithCache(0): a full verification
//	decide        the enforcer's decision alone, on the values and groups
//	              Authorize passes it
//	bare-decide   bare after the same decision, made by hand in the
//	              request, as an application calling the enforcer would
//	full          the app with Strict and Authorize (decision log off),
//	              the token cached as in production
//	full-nocache  the same with WithCache(0)
//	log           full with every decision logged as JSON, through
//	              middleware.NewJSONHandler (the direct writer)
//	log-slog      the same through slog's own JSON handler
//
// full reports overhead-ns/op = full - bare - decide (a cached token is
// not checked again: there is no signature check to take away) and
// full-nocache overhead-ns/op = full-nocache - bare - decide - hmac, each
// also in allocations (overhead-allocs/op): Warden's overhead, everything
// but the signature check and the decision, from groups provider to
// strict writer. Both also report floor-ns/op = floor - bare: of the
// overhead, what no middleware that puts the caller in the request's
// context can avoid on this heap (each byte a request allocates makes the
// collector mark the 110,000 rules' heap sooner). full also reports
// own-ns/op = full - bare-decide, the same overhead with the decision
// taken away as it costs inside a request rather than in decide's warm
// loop (what Warden's middleware costs an application over calling the
// enforcer itself), and decide-in-request-ns/op = bare-decide - bare.
// log and log-slog report log-ns/op (log - full, log-slog - full), the
// decision log's cost. Each is also given in CPU time (cpu-ns/op, overhead-cpu-ns/op,
// log-cpu-ns/op: the process's user and system time per call, garbage
// collection included), which, unlike wall time, other processes on the
// machine do not inflate. A part a -bench filter skipped is measured when
// it is needed.
package overhead
