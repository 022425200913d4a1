// Package health describes readiness checks: what /readyz of warden serve
// runs to tell whether the dependencies it decides with (the policy
// database, the providers' stores) answer. It sits below both package
// config, which builds the providers and their checks, and package server,
// which runs them, so that neither imports the other.
package health
