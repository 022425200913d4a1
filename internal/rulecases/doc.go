// Package rulecases is the attack suite for the rule-value edge: rule
// values that a write path must refuse because the function reading them
// would fail at every decision (a keyMatch2 pattern that does not compile),
// because they would make one decision cost without bound (a pattern that
// compiles to a huge program), or because they read differently from what
// they do (bidi overrides, zero-width and other invisible characters).
//
// The tests of every write path run the same table: enforcer.AddRules and a
// policy file load (package enforcer), the HTTP API (package server) and
// `warden grant` (package main). A new case is one line in Cases.
package rulecases
