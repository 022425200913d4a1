// Command warden decides, lints and tests Casbin authorization policies.
//
// Usage:
//
//	warden enforce --model FILE --policy FILE [--explain] ARG...
//	warden lint --model FILE [--policy FILE]
//	warden test --model FILE --policy FILE CASES
//	warden version
//
// enforce prints allow or deny and exits 0 (allow), 1 (deny) or 2 (error).
// An ARG that is a JSON object is passed as an attribute map (ABAC).
// lint prints one FILE:LINE: message per problem and exits 2 if there is
// any, else prints ok. test runs decision cases from a YAML or CSV file and
// exits 1 if any case fails, 2 on error.
package main
