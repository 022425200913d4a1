package permission

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/casbin/casbin/v2/util"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/enforcer"
)

// ErrInvalid is returned for a permission string that cannot be stored as a
// rule: empty, too long, or with characters that a policy file or a matcher
// would read differently (commas, quotes, whitespace, control characters).
var ErrInvalid = warden.NewError(warden.ErrInvalid, "permission: invalid permission")

// ErrStar means a permission has a "*" before its end (see Validate); it
// comes wrapped with ErrInvalid.
var ErrStar = errors.New("permission: a \"*\" before the end")

// MaxLen bounds a permission string; longer strings are rejected rather than
// stored, so that a token cannot inflate the policy.
const MaxLen = 256

// denyPrefix marks a granted permission as a deny rule.
const denyPrefix = "!"

// Validate returns an error wrapping ErrInvalid if p cannot be used as a
// granted permission.
func Validate(p string) error {
	body := strings.TrimPrefix(p, denyPrefix)
	switch {
	case body == "":
		return fmt.Errorf("%w: empty", ErrInvalid)
	case len(p) > MaxLen:
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalid, MaxLen)
	case !utf8.ValidString(p):
		return fmt.Errorf("%w: %q is not UTF-8", ErrInvalid, p)
	}
	for _, r := range body {
		if r == ',' || r == '"' || r == '!' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("%w: %q contains %q", ErrInvalid, p, r)
		}
	}
	// keyMatch, which matches permissions, ignores what follows the first
	// "*": "*:read" would grant every permission, "warden:*check" every
	// warden: one. A "*" may only end a permission.
	if i := strings.IndexByte(body, '*'); i >= 0 && i != len(body)-1 {
		return fmt.Errorf("%w: %w: %q would match every permission starting with %q", ErrInvalid, ErrStar, p, body[:i])
	}
	return nil
}

// Match reports whether the granted permission grants the required one.
// A deny permission ("!x") grants nothing; use Allowed to apply denies.
func Match(granted, required string) bool {
	if strings.HasPrefix(granted, denyPrefix) || granted == "" {
		return false
	}
	return util.KeyMatch(required, granted)
}

// Allowed reports whether the granted set allows required: some granted
// permission matches it and no deny permission ("!pattern") matches it.
// This is the decision of the permissions model for one subject.
func Allowed(granted []string, required string) bool {
	allowed := false
	for _, g := range granted {
		if body, deny := strings.CutPrefix(g, denyPrefix); deny {
			if body != "" && util.KeyMatch(required, body) {
				return false
			}
			continue
		}
		if Match(g, required) {
			allowed = true
		}
	}
	return allowed
}

// Rule returns the "p" rule of the permissions model that grants (or, with a
// leading '!', denies) the permission p to subject.
func Rule(subject, p string) (enforcer.Rule, error) {
	if err := Validate(p); err != nil {
		return enforcer.Rule{}, err
	}
	if body, deny := strings.CutPrefix(p, denyPrefix); deny {
		return enforcer.P(subject, body, "deny"), nil
	}
	return enforcer.P(subject, p, "allow"), nil
}

// Rules returns the rules for a subject's permissions, in order, skipping
// duplicates. It fails on the first invalid permission, naming it, so that a
// bad entry is reported rather than silently widened or dropped.
func Rules(subject string, perms []string) ([]enforcer.Rule, error) {
	out := make([]enforcer.Rule, 0, len(perms))
	seen := make(map[string]struct{}, len(perms))
	for i, p := range perms {
		if _, dup := seen[p]; dup {
			continue
		}
		seen[p] = struct{}{}
		r, err := Rule(subject, p)
		if err != nil {
			return nil, fmt.Errorf("permission %d: %w", i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Policies is Rules in the form of request-scoped policies
// (enforcer.Request.Policies).
func Policies(subject string, perms []string) ([][]string, error) {
	rules, err := Rules(subject, perms)
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(rules))
	for i, r := range rules {
		out[i] = r.Values
	}
	return out, nil
}

// FromRule returns the permission string a rule of the permissions model
// stands for ("!x" for a deny rule). ok is false for a rule of another shape.
func FromRule(r enforcer.Rule) (p string, ok bool) {
	if r.PType != "p" || len(r.Values) != 3 {
		return "", false
	}
	switch r.Values[2] {
	case "allow":
		return r.Values[1], true
	case "deny":
		return denyPrefix + r.Values[1], true
	}
	return "", false
}
