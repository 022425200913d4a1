// Package middleware protects net/http handlers: it authenticates the caller
// (bearer JWT or API key), asks an enforcer.Decider about every request,
// offers guards for single routes, and answers 401, 403 or 503 with JSON
// bodies that never carry internal error text.
//
// Everything fails closed. A bad or missing token is 401; a denial, an
// unmapped request or an invalid permission is 403; a provider or key
// endpoint that cannot be reached, or a decider that cannot decide, is 503
// with Retry-After. No error ever lets a request through.
//
// Request-scoped data stays request-scoped: the caller's groups (from
// GroupsProviders such as the token's "groups" claim) and permissions go
// into enforcer.Request.Groups and enforcer.Request.Policies for that one
// decision and never into the enforcer's shared policy.
//
// Groups and permissions are fetched lazily, at most once per request, and
// only when Authorize, a guard or a handler asks for them; a failed fetch is
// remembered for the rest of the request so that a retry inside the same
// request cannot turn a denial into an allow.
//
// Two kinds of request are refused (403) before anything is decided: a
// path that CheckPath refuses (escapes its decoded form does not need,
// control or format characters, invalid UTF-8, dot or empty segments), in
// every mapper and guard; and a caller whose identity is the name of a role
// (ErrRoleIdentity: see WithRoleSources and WithRoleIdentities), because
// Casbin does not tell users from roles. docs/security.md lists what is
// refused and why.
//
// Strict mode guards against the route that forgot its check: a request that
// reaches the point of writing a response without any decision, guard or
// public marker is answered 403 instead, and the route is logged.
package middleware
