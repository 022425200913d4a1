package modelcheck

import (
	"bytes"
	"fmt"

	"github.com/casbin/casbin/v2/model"
)

// ModelOption changes what Model accepts.
type ModelOption func(*modelOptions)

type modelOptions struct {
	requestEval bool
	functions   map[string]bool
	conditions  map[string]bool // role definitions with a link condition registered in code
}

// LinkConditions accepts any number of link parameters in the named
// conditional role definitions: they have a condition registered in code
// (enforcer.WithLinkCondition). Without one, a link's condition is
// Casbin's time window, which takes two (start, end).
func LinkConditions(ptypes ...string) ModelOption {
	return func(o *modelOptions) {
		if o.conditions == nil {
			o.conditions = map[string]bool{}
		}
		for _, p := range ptypes {
			o.conditions[p] = true
		}
	}
}

// KnownFunctions accepts calls of the named functions in a matcher: the
// functions registered in code (enforcer.WithFunction), which the model's
// text cannot show. The enforcer passes the names it was given; `warden
// lint` knows none, and says so when a matcher calls one.
func KnownFunctions(names ...string) ModelOption {
	return func(o *modelOptions) {
		if o.functions == nil {
			o.functions = map[string]bool{}
		}
		for _, n := range names {
			o.functions[n] = true
		}
	}
}

// AllowRequestEval accepts eval() of request data in a matcher. Such a
// matcher lets the caller write the rule that decides about it: only for
// requests built entirely by trusted code. The enforcer passes it for
// enforcer.WithRequestEvalUnsafe.
func AllowRequestEval() ModelOption { return func(o *modelOptions) { o.requestEval = true } }

// Model lints the text of a model alone; name is the file name problems
// carry. The enforcer uses it so that a model the linter flags is refused
// at load time with the same FILE:LINE messages. A leading UTF-8 byte order
// mark is ignored.
func Model(name string, src []byte, opts ...ModelOption) []Problem {
	probs, _ := LintModel(name, src, opts...)
	return probs
}

// LintModel checks a model and, when Casbin can load it, returns the loaded
// model for the policy checks.
func LintModel(name string, src []byte, opts ...ModelOption) ([]Problem, model.Model) {
	var o modelOptions
	for _, f := range opts {
		f(&o)
	}
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	mf := scanModel(name, src)
	checkModel(mf, o)
	// Casbin's own parser is the final word on whether the model loads; it
	// only speaks when the checks above found nothing to report.
	m, err := loadModel(src)
	if err != nil {
		if len(mf.probs.list) == 0 {
			mf.probs.Add(1, "casbin cannot load the model: %v", err)
		}
		m = nil
	}
	return mf.probs.Sorted(), m
}

// loadModel asks Casbin to parse the model. Its parser has panicked on
// malformed input before; a linter is exactly where such input arrives.
func loadModel(src []byte) (m model.Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return model.NewModelFromString(string(src))
}
