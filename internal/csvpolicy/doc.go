// Package csvpolicy reads, checks and writes policy CSV files, and is the
// Casbin adapter over them. It lives below the enforcer and the linter,
// which both read policy files (enforcer.NewFromFiles, FILE:LINE in rule
// errors; warden lint), so that neither imports a package of the adapters
// layer. Package adapters/csvfile is its public name: the types there are
// aliases of these, documented for users.
package csvpolicy
