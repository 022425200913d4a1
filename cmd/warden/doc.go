// Command warden decides, lints and tests Casbin authorization policies,
// serves decisions and policy management over HTTP, and changes a policy
// stored in a database.
//
// Usage:
//
//	warden enforce --model FILE --policy FILE [--explain] ARG...
//	warden plan --model FILE --policy FILE --dialect sqlite|postgres|mysql --column FIELD=COLUMN... [--json] ARG...
//	warden lint --model FILE [--policy FILE]
//	warden test --model FILE --policy FILE CASES
//	warden token --secret S --issuer I --audience A --sub ID [--groups g1,g2] [--ttl 1h]
//	warden serve [--addr 127.0.0.1:8181] [--db DSN] [--model FILE] (--jwt-secret S | --jwks-url URL) ...
//	warden grant|revoke --db DSN [--scope policy|admin] PTYPE VALUE...
//	warden list --db DSN [--ptype PTYPE] [--json]
//	warden audit --db DSN [--actor ID] [--after-id N] [--limit N]
//	warden audit verify --db DSN [--tolerance 1m]
//	warden version
//
// Every command prints its flags with -h.
//
// enforce prints allow or deny and exits 0 (allow), 1 (deny) or 2 (error).
// An ARG that is a JSON object is passed as an attribute map (ABAC).
// audit verify checks the audit log's hash chain and prints ok with the
// chain head (exit 0) or the first missing, altered, reordered, forged or
// back-dated entry (exit 1); it changes nothing in the database.
// plan prints the SQL filter of the values of the open field (the one ARG
// given as ?) that the request allows: its kind (always_allowed,
// always_denied or conditional), the WHERE fragment and its arguments, or
// with --json one object {"kind", "sql", "args"}; it exits 0, or 2 on an
// error or a construct that has no exact SQL (see docs/filtering.md).
// lint prints one FILE:LINE: message per problem and exits 2 if there is
// any, else prints ok. test runs decision cases from a YAML or CSV file and
// exits 1 if any case fails, 2 on error.
package main
