// Package multi combines several providers into one: the union of their
// answers (a caller is in a group if any source says so) or the intersection
// (only if every source says so).
//
// By default a failing source fails the whole fetch, so the decision denies:
// an unreachable source must not silently shrink or, for an intersection,
// widen what a caller gets. WithBestEffort lets a union skip failing sources
// as long as one answers; it is refused for an intersection, where dropping
// a source would widen the result. Even a union is only safe to shorten for
// a model where fewer groups can never allow more (enforcer.Monotone): with
// a deny rule, the skipped source may be the one naming the denied group,
// which is why warden serve refuses best_effort.
package multi
