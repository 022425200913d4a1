// Package policyadmin is how a Warden deployment's policies are opened,
// seeded and changed: the tables of a deployment (Tables), the served and
// admin policies' enforcers on their rulelog stores (OpenEnforcer), a seed
// file read for the served model (ReadPolicyFile), the one function that
// grants or revokes rules and audits it (Apply, and Seed for an empty
// policy), and the guard that refuses an admin change leaving nobody able
// to manage Warden (ErrLockout). Package server (the HTTP API) and the
// command line (warden grant, revoke, list, serve) both call it, so that
// every path that changes a policy takes the same checks and writes the
// same audit rows; neither holds a copy.
//
// # The lockout guard
//
// An admin-scope grant or revoke that would leave no identity of the admin
// policy holding PermAdmin is refused with a *LockoutError. An identity is
// a subject of the admin policy that is not a role (not AdminRole, not a
// name some g rule grants before or after the change), or one of
// Change.Admins; one Change.RefusedIdentity refuses never counts; where no
// identity held PermAdmin before the change, roles count (docs/security.md
// tells why each rule is there). Apply checks it twice on a rulelog store:
// first on this instance's memory, brought up to the store's latest
// revision, which refuses the usual mistake without a write; then inside
// the write's transaction, on the admin rules read from the store by that
// transaction after the head row's lock is taken. The second check is what
// makes the guard hold across processes: two instances, or `warden revoke`
// while `warden serve` runs, that each revoke one of two administrators
// both pass the first check, but their writes commit one after the other
// under the head lock, and the second reads the first's commit and is
// refused. Without a change log (an in-memory or file adapter) only the
// first check runs, serialised within the process.
//
// The other policy is judged inside the same transaction, on rulelog
// stores sharing one database handle. A served-policy grant of role links
// (Change.AdminPolicy) takes the admin policy's head lock in its own
// transaction and reads the admin rules there; an admin change
// (Change.ServedPolicy) reads the served policy's roles there. Whichever
// commits first, the other waits for the admin head and then sees it, so
// a grant of "g, mallory, alice" on one instance and a revoke of root on
// another cannot together leave alice, now a role, as the only
// administrator. Locks go served head first, then admin head.
//
// # Cost
//
// A change asks the enforcer about the rules it names (Enforcer.Has), not
// for copies of the policy, so its cost does not grow with the policy
// (BenchmarkApplyOneChange). The guard evaluates the admin policy after the
// change on one scratch enforcer (two when it refuses, to name the rule),
// which is small: it holds only the admin policy, never the served one.
package policyadmin
