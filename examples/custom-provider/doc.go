// Command custom-provider shows a groups provider backed by an HTTP
// directory service, made production-ready by composition:
//
//	cache( breaker( retry( timeout( httpapi client ) ) ) )
//
// The cache answers repeat lookups without a call and makes concurrent
// misses share one; the breaker stops calling a service that keeps failing
// and fails fast, so requests are denied quickly; retry absorbs a single
// dropped call; timeout bounds every attempt. The groups it returns are
// request-scoped: they feed one decision of the shared enforcer and never
// change its policy.
//
// The directory service here is an in-process test server that fails the
// first call it gets, then answers, and can be switched off.
//
//	go run ./examples/custom-provider
package main
