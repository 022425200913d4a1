// Package server is Warden's decision and management HTTP API, served by
// `warden serve`. It holds the HTTP concerns only: routes, authorization of
// callers, input checks, answers. Opening, seeding and changing the
// policies, the audit of each change and the lockout guard are package
// policyadmin's, which the command line calls too.
//
// # Endpoints
//
//	POST   /v1/check          decide one request or a list; answers with the
//	                          effect, the matched rule and the role chain
//	POST   /v1/plan           the SQL filter of the values of one request field
//	                          the request allows: {"request":{...,"obj":"?"},
//	                          "dialect":"sqlite","columns":{"obj":"path"}}
//	GET    /v1/rules          list rules: ?ptype=p&offset=0&limit=100[&subject=alice][&scope=admin]
//	POST   /v1/rules          grant rules: {"ptype":"p","values":[...]} or {"rules":[...]} [?scope=admin]
//	DELETE /v1/rules          revoke rules (same body)
//	POST   /v1/groups         grant a role: {"member":"alice","role":"editor"}
//	DELETE /v1/groups         revoke a role (same body)
//	GET    /v1/policy.csv     export the policy as a policy.csv file [?scope=admin]
//	GET    /v1/audit          read the audit log: ?after_id=0&limit=100[&actor=ID]
//	GET    /healthz           the process is up
//	GET    /readyz            the database and providers answer within a timeout
//	GET    /metrics           Prometheus metrics (when configured)
//
// # Who may call what
//
// Every /v1 route needs an authenticated caller (the middleware's bearer JWT
// verification). Authorization is done by Warden itself, with a second
// enforcer on the embedded "permissions" model (models.Permissions) whose
// policy is kept apart from the served one, in its own table (by default
// warden_admin_rule, next to casbin_rule). Two permissions exist:
//
//   - warden:admin is needed to list, grant, revoke, export and read the
//     audit log;
//   - warden:check is needed to ask /v1/check or /v1/plan about another
//     subject; asking about one's own identity only needs authentication.
//
// The admin policy is seeded with `p, warden-admin, warden:*, allow`, so a
// caller has both permissions when it is a member of warden-admin: through
// a `g, CALLER, warden-admin` rule in the admin policy (warden serve --admin
// CALLER, or `warden grant --scope admin g CALLER warden-admin`), through a
// "groups" claim of its token naming warden-admin, or through a
// "permissions" claim granting warden:admin. The admin policy is managed like
// the served one, with ?scope=admin on the API and --scope admin on the
// command line. Keeping it separate means the served model can be anything
// (ABAC, domains) and a mistake in the served policy cannot lock
// administrators out or let users in.
//
// A mistake in the admin policy could, and a restart would not repair it
// (the admin policy is seeded only when its table is empty). So an
// admin-scope grant or revoke that would leave no subject named in the admin
// policy holding warden:admin (revoking the seed rule, a deny for
// warden-admin) is refused with 409 "conflict", the field naming the rule
// (values, or rules[i] in the list form), by the API and the command line
// alike (policyadmin.ErrLockout; the guard holds across instances, see
// package policyadmin).
//
// # Input and errors
//
// Bodies are JSON of at most 1 MiB (WithMaxBodyBytes), read exactly as
// written: unknown fields, keys that match a field only case-insensitively,
// duplicate keys, invalid UTF-8 and nesting beyond MaxJSONDepth are
// rejected. So are query parameters an endpoint does not read (a misspelt
// ?Scope=admin would otherwise change the served policy) or that are given
// twice, and, on every route, a raw query that net/url would not read whole
// (a ";" pair, a bad %-escape). A bad request is answered 400 with the
// field at fault (the query parameter's name for a query parameter):
//
//	{"error":"invalid_request","field":"values[3]","message":"must be allow or deny (eft)","request_id":"..."}
//
// Errors never carry internal text: a database that fails is 503
// "unavailable", and the cause goes to the log under the request id.
//
// # Audit
//
// Every grant and revoke, failed or not, is recorded with package audit:
// the caller's identity, the rules asked for, those present before and
// after, the time, the remote address and the request id.
// policyadmin.Apply is the one function that changes a policy; the command
// line uses it too. The remote
// address is the connection's: X-Forwarded-For is not trusted, since any
// client can send it. The request id is the caller's X-Request-Id when it is
// short and printable, else a random one, and is returned in error bodies.
//
// # Changes and the store
//
// policyadmin.OpenEnforcer keeps each policy in a rulelog store: a grant or revoke
// writes the rule rows, a change log row per rule changed and its audit row
// in one transaction, then brings this instance's memory up to the written
// revision by reading the log. "changed" is what the store affected. The
// other instances read the change from the log too: an announcement (NOTIFY
// sent inside the transaction on PostgreSQL, a Redis publish after the
// commit) only tells them to read it sooner, so a lost announcement is not
// an outcome of the change and the answer has no "announced" field.
//
// A change whose audit row cannot be stored is not made: 503 audit_failed.
// When the answer to COMMIT is lost, the store is asked before the change is
// answered: it is a success if it committed and a failure if not; if the
// store cannot be asked, 503 outcome_unknown, and the store asks again
// before it accepts the next change.
//
// # When the database goes away
//
// Decisions go on from the policy in memory; grants and revokes fail with
// 503 and change nothing in memory; /readyz reports the database as "fail".
// On PostgreSQL the instance reloads in full once its watcher reconnects.
package server
