// Package jwttest provides signing keys, tokens and a real JWKS server for
// the middleware tests. It is internal: production code never mints tokens
// with it.
package jwttest
