// Package modelcheck holds the checks that both the enforcer and the linter
// run on a Casbin model and on rule values: the model file's sections, keys,
// effect and matcher names (Model), the matcher's literal patterns
// (LiteralProblems), eval() of request data (RequestEval), and every rule
// or request value against the matcher function that reads it
// (ValueChecker, Limits).
//
// It sits below both: package enforcer refuses at load and write time what
// these checks find, and package lint reports the same findings ahead of
// time, with the policy file's own checks added. Its exported names are
// re-exported by lint (lint.Limits, lint.ValueChecker, lint.Problem...),
// which is where users meet them.
package modelcheck
