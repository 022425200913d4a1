// Package filter describes the answer to "which objects may this caller
// see?": a Plan that is always allowed, always denied, or conditional on a
// condition tree over the open request field (the object, or the
// attributes of the object).
//
// The enforcer builds plans (enforcer.Enforcer.Plan); translators such as
// filter/sqlfilter and filter/gormfilter turn them into queries. This
// package holds only the data both sides share, so that neither the
// enforcer depends on SQL nor a translator on Casbin.
//
// A condition means exactly what the decision means, byte for byte: Eq and
// In compare strings exactly, Prefix compares bytes, and Regex is a Go
// regular expression (regexp.MatchString semantics). A translator that
// cannot express a condition exactly must refuse it, never widen it.
package filter
