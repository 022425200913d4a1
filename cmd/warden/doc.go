// Command warden decides, lints and tests Casbin authorization policies,
// serves decisions and policy management over HTTP, and changes a policy
// stored in a database.
//
// Usage:
//
//	warden enforce [--model FILE|NAME] [--policy FILE] [--explain] [--json] ARG...
//	warden plan [--model FILE|NAME] [--policy FILE] --dialect sqlite|postgres|mysql --column FIELD=COLUMN... [--json] ARG...
//	warden lint [--model FILE|NAME] [--policy FILE]
//	warden test [--model FILE|NAME] [--policy FILE] [--json] CASES
//	warden verify --model FILE --policy FILE [--definition SUFFIX] [--defer-eval-errors] [--requests N] [--seed S] [--json]
//	warden token --secret S --issuer I --audience A --sub ID [--groups g1,g2] [--permissions p1,p2] [--ttl 1h]
//	warden serve [--addr 127.0.0.1:8181] [--db DSN] [--model FILE|NAME] (--jwt-secret S | --jwks-url URL) ...
//	warden grant|revoke --db DSN [--scope policy|admin] PTYPE VALUE...
//	warden list --db DSN [--ptype PTYPE] [--json]
//	warden audit --db DSN [--actor ID] [--after-id N] [--limit N]
//	warden audit verify --db DSN [--tolerance 1m]
//	warden version [--json]
//
// `warden COMMAND --help` (or -h, or `warden help COMMAND`) prints the
// command's flags on stdout and exits 0; a usage error prints them on
// stderr and exits 2.
//
// It works from any directory: --model takes a file or an embedded model's
// name (default, abac, permissions, rbac, rbac_deny, rbac_domains,
// restful), and the defaults conf/model.conf and conf/policy.csv are read
// from the working directory when they are there, else from the copies
// embedded in the binary (package conf). serve refuses that fallback on a
// database that holds a policy: give --model (--model default for the
// embedded model).
//
// enforce prints allow or deny and exits 0 (allow), 1 (deny) or 2 (error).
// An ARG that is a JSON object is passed as an attribute map (ABAC). With
// --json it prints the object POST /v1/check answers: {"request",
// "allowed", "effect", "rule", "chain"}.
// audit verify checks the audit log's hash chain and prints ok with the
// chain head (exit 0) or the first missing, altered, reordered, forged or
// back-dated entry (exit 1). list, audit and audit verify only read: they
// create no table and no SQLite file and migrate nothing.
// plan prints the SQL filter of the values of the open field (the one ARG
// given as ?) that the request allows: its kind (always_allowed,
// always_denied or conditional), the WHERE fragment and its arguments, or
// with --json one object {"kind", "sql", "args"}; it exits 0, or 2 on an
// error or a construct that has no exact SQL (see docs/filtering.md).
// lint prints one FILE:LINE: message per problem and exits 2 if there is
// any, else prints ok. test runs decision cases from a YAML or CSV file and
// exits 0 when all pass, 1 when a case gets the other decision, and 2 when
// the file cannot be understood (FILE:LINE and the field are named) or a
// decision fails; with --json it prints one report {"file", "total",
// "passed", "failed", "errors", "cases"}. version --json prints
// {"version", "go"}.
//
// The HTTP API of serve, every body and status code, is docs/api.md.
package main
