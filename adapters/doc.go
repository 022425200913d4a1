// Package adapters holds the providers that tell Warden who is in which
// group and who may do what, the wrappers that compose them, and the helpers
// every provider shares (IdentityOf, Dedup, Recover, RecoverObserver,
// ShareByIdentity). The provider type itself, warden.Provider (known as
// warden.GroupsProvider and warden.PermissionsProvider), and the verified
// warden.Token it is given live in the root package, which imports nothing.
//
// A source that answers both groups and permissions has a Groups and a
// Permissions method of the provider's shape; warden.ProviderFunc(s.Groups)
// makes either a provider. A source that answers one implements Fetch.
//
// Providers come in two kinds. Per-caller sources (token claims, an HTTP API)
// answer for one caller and their answer is used for one decision only, as
// request-scoped groups and rules. Bulk sources (SQL, files, Redis) also
// implement Casbin's persist.Adapter so that the whole policy is loaded into
// the shared enforcer at start and on change. Sub-packages hold the built-in
// providers and the wrappers (cache, retry, timeout, circuit breaker, union)
// that compose any of them.
//
// Providers:
//
//   - claims: groups and permissions from token claims (no I/O)
//   - sqlstore: SQL tables through GORM, also a Casbin adapter
//   - jsonfile: a JSON policy file, also a Casbin adapter
//   - csvfile: a Casbin policy.csv adapter
//   - redisstore: Redis sets, also a Casbin adapter
//   - httpapi: an HTTP directory service
//
// Wrappers, each for any provider:
//
//   - cache: per-identity TTL/LRU cache with one upstream call per miss
//   - retry: bounded retries with exponential backoff and jitter
//   - timeout: a bound on each fetch
//   - breaker: a circuit breaker that fails fast while the source is down
//   - multi: union or intersection of several providers
//   - hierarchy: role inheritance expanded once per change
//
// filewatch reloads file-based policies when the file changes. See
// docs/providers.md for how to write and test a provider.
package adapters
