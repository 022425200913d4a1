package enforcer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/internal/modelcheck"
)

// LoadModel reads a Casbin model file. A model that Casbin rejects or that
// the linter flags (unknown sections, names the matcher uses but nothing
// defines, an effect Casbin does not support, eval() of request data) is
// refused with every problem as FILE:LINE: message. Of opts, only
// WithRequestEvalUnsafe and WithFunction matter here: a matcher may call
// the functions registered.
func LoadModel(path string, opts ...Option) (model.Model, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidModel, err)
	}
	return parseModel(path, text, opts)
}

// ParseModel parses the text of a Casbin model, with the checks of
// LoadModel; problems are reported against the name "model".
func ParseModel(text string, opts ...Option) (model.Model, error) {
	return parseModel("model", []byte(text), opts)
}

var bom = []byte("\xef\xbb\xbf")

func parseModel(name string, text []byte, opts []Option) (m model.Model, err error) {
	// Editors on Windows write a byte-order mark that Casbin's parser would
	// take for part of the first key.
	text = bytes.TrimPrefix(text, bom)
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.err != nil {
		return nil, o.err
	}
	if probs := modelcheck.Model(name, text, append(o.lintOptions(), o.conditionLint()...)...); len(probs) > 0 {
		return nil, &ModelError{Problems: probs}
	}
	// Casbin's config parser panics on some malformed input; a model is
	// user input, so turn that into an error.
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%s: %w: %s", name, ErrInvalidModel, printable(fmt.Sprint(r)))
		}
	}()
	m, err = model.NewModelFromString(string(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", name, ErrInvalidModel, printable(err.Error()))
	}
	for _, sec := range []string{"r", "p", "e", "m"} {
		if _, ok := m[sec]; !ok {
			return nil, fmt.Errorf("%s: %w: missing section %s", name, ErrInvalidModel, sectionName[sec])
		}
	}
	if err := o.checkFunctions(m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := checkMatcher(m, &o); err != nil {
		return nil, fmt.Errorf("%s:%d: %w: %v", name, lineOf(text, "[matchers]"), ErrInvalidModel, err)
	}
	return m, nil
}

// checkMatcher compiles the matcher as Casbin will at the first decision, so
// that a syntax error is found at load time, not on a request.
func checkMatcher(m model.Model, o *options) error {
	if m["m"]["m"] == nil {
		return errors.New("no matcher m")
	}
	cm := &compiledModel{matcher: m["m"]["m"].Value, gIdx: map[string]int{}, funcs: o.funcs}
	for name := range m["g"] {
		cm.gIdx[name] = len(cm.gNames)
		cm.gNames = append(cm.gNames, name)
	}
	_, err := cm.govaluate()
	return err
}

// lineOf is the 1-based line of the first line starting with prefix, or 1.
func lineOf(text []byte, prefix string) int {
	for i, l := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return i + 1
		}
	}
	return 1
}

// printable keeps an error message readable: a garbage file must not turn
// into garbage on a terminal. Unprintable bytes are escaped, and the message
// is cut at 300 bytes.
func printable(s string) string {
	var b strings.Builder
	for i, r := range s {
		if b.Len() > 300 {
			b.WriteString("…")
			break
		}
		switch {
		case r == utf8.RuneError:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsPrint(r) || r == ' ' || r == '\n':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "%U", r)
		}
	}
	return b.String()
}

// ModelError lists the problems that make a model unusable, one
// FILE:LINE: message per line. It matches ErrInvalidModel with errors.Is.
type ModelError struct {
	// Problems are the linter's findings (lint.Problem is the same type):
	// File, Line and Message each.
	Problems []modelcheck.Problem
}

// Error implements error.
func (e *ModelError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = printable(p.String())
	}
	return strings.Join(lines, "\n")
}

// Unwrap makes errors.Is(err, ErrInvalidModel) hold.
func (e *ModelError) Unwrap() error { return ErrInvalidModel }

var sectionName = map[string]string{
	"r": "[request_definition]",
	"p": "[policy_definition]",
	"g": "[role_definition]",
	"e": "[policy_effect]",
	"m": "[matchers]",
}
