// Package matchexpr reads Casbin matcher expressions the way govaluate, the
// evaluator Casbin runs them with, reads them: one tokenizer and one syntax
// tree for every part of Warden that looks at a matcher (the enforcer's
// compiled subset, its index planner and its filter planner, the linter), so
// that none of them can see a different expression from the one Casbin
// evaluates.
//
// Tokenize is a port of govaluate v1.3.0's lexer (parsing.go): the same
// characters make the same tokens, strings end at the first quote of either
// kind, a backslash escapes the next character anywhere (not only inside
// strings), and a backquote is no quote at all but an invalid token. Where
// govaluate panics (a backslash at the very end) Tokenize returns an error.
//
// Parse builds the tree govaluate's stage planner builds (stagePlanner.go),
// with its precedence levels, left associativity and its two surprises kept
// visible: a method call on an attribute (r.obj.Has(x)) takes the whole rest
// of the expression as its argument, and a parenthesised term or call
// followed by anything but an operator makes govaluate ignore the rest.
// Parse refuses the latter with an error matching ErrMisread rather than
// build a tree that means something other than what is written; callers
// then leave the expression to govaluate or report it.
//
// Text from a model file must first be read as Casbin reads a [matchers]
// value (CasbinText): r.sub becomes r_sub, backslashes inside string
// literals are doubled, and so on. model.Model values already are.
package matchexpr
