package server

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/policyadmin"
)

// MaxValueLen bounds a rule value: gorm-adapter's casbin_rule columns hold
// 100 characters, and a longer value would fail in the database instead of
// being refused with its field.
const MaxValueLen = 100

// RuleJSON is a rule in the API: {"ptype":"p","values":["alice","/posts","GET","allow"]}.
type RuleJSON struct {
	PType  string   `json:"ptype"`
	Values []string `json:"values"`
}

func toJSON(r enforcer.Rule) RuleJSON {
	v := r.Values
	if v == nil {
		v = []string{}
	}
	return RuleJSON{PType: r.PType, Values: v}
}

func toJSONList(rules []enforcer.Rule) []RuleJSON {
	out := make([]RuleJSON, len(rules))
	for i, r := range rules {
		out[i] = toJSON(r)
	}
	return out
}

// fieldNames returns the names of ptype's fields in e's model, as the
// API names them, or nil when the model does not define ptype as a policy
// or role type. They are the names the enforcer's own checks give
// (enforcer.Enforcer.FieldNames): a role definition's are member, role,
// domain where it has one, then param1, param2... for a conditional
// one's parameters. It reads the enforcer's field names, not a copy of
// the model.
func fieldNames(e *enforcer.Enforcer, ptype string) []string {
	return e.FieldNames(ptype)
}

// validateRule checks r against e's model; field prefixes the names of
// errors.
func validateRule(e *enforcer.Enforcer, r RuleJSON, field string) (enforcer.Rule, error) {
	if field != "" {
		field += "."
	}
	if r.PType == "" {
		return enforcer.Rule{}, invalid(field+"ptype", "required")
	}
	names := fieldNames(e, r.PType)
	if names == nil {
		return enforcer.Rule{}, invalid(field+"ptype", "ptype %q is not defined by the model (defined: %s)", r.PType, strings.Join(enforcer.PTypes(e.Model()), ", "))
	}
	if len(r.Values) != len(names) {
		return enforcer.Rule{}, invalid(field+"values", "must have %d values (%s), got %d", len(names), strings.Join(names, ", "), len(r.Values))
	}
	for i, v := range r.Values {
		f := fmt.Sprintf("%svalues[%d]", field, i)
		if err := checkValue(v); err != nil {
			return enforcer.Rule{}, invalid(f, "%s (%s)", err, names[i])
		}
		if names[i] == "eft" && v != "allow" && v != "deny" {
			return enforcer.Rule{}, invalid(f, "must be allow or deny (eft)")
		}
	}
	rule := enforcer.Rule{PType: r.PType, Values: append([]string(nil), r.Values...)}
	if err := checkRule(e, rule, func(i int) string { return fmt.Sprintf("%svalues[%d]", field, i) }); err != nil {
		return enforcer.Rule{}, err
	}
	return rule, nil
}

// checkRule runs the enforcer's checks of a rule's values against the
// functions the matcher reads them with (a keyMatch2 pattern must compile,
// an ipMatch value must be an address, no invisible characters, the size
// limits), naming the field at fault as field(i).
func checkRule(e *enforcer.Enforcer, r enforcer.Rule, field func(i int) string) error {
	err := e.CheckRule(r)
	var re *enforcer.RuleError
	if errors.As(err, &re) {
		return invalid(field(re.Index), "%s (%s)", re.Reason, re.Field)
	}
	if err != nil {
		return invalid(field(0), "%s", strings.TrimPrefix(err.Error(), enforcer.ErrInvalidRule.Error()+": "))
	}
	return nil
}

// checkValue refuses what cannot be stored and read back as the same rule
// value.
func checkValue(v string) error {
	switch {
	case v == "":
		return fmt.Errorf("must not be empty")
	case len(v) > MaxValueLen:
		return fmt.Errorf("longer than %d bytes", MaxValueLen)
	case !utf8.ValidString(v):
		return fmt.Errorf("not valid UTF-8")
	case strings.TrimSpace(v) != v:
		return fmt.Errorf("leading or trailing space")
	}
	// Control and invisible characters are the enforcer's check (checkRule).
	return nil
}

// ErrInvalidInput is matched by the errors of ValidateRules: input the API
// refuses with 400, naming the field at fault.
var ErrInvalidInput = errors.New("server: invalid input")

// Is makes every field error match ErrInvalidInput.
func (e *fieldError) Is(target error) bool { return target == ErrInvalidInput }

// ValidateRules checks rules for a change of scope as the API does before
// applying one: each rule's ptype is defined by m, it has the model's
// number of values, each value can be stored and read back unchanged (not
// empty, no surrounding space or control character, at most MaxValueLen
// bytes), an eft is allow or deny and, in policyadmin.ScopeAdmin, a p rule holds a
// valid permission, and every value is one the matcher's functions can
// read (see enforcer.Enforcer.CheckRule). The error wraps ErrInvalidInput
// and names the field: values[i] for a single rule, rules[i].values[j] for
// several. The command line runs it too, so that no path skips the API's
// checks.
func ValidateRules(e *enforcer.Enforcer, scope string, rules []enforcer.Rule) error {
	list := len(rules) != 1
	for i, r := range rules {
		field := ""
		if list {
			field = fmt.Sprintf("rules[%d]", i)
		}
		if _, err := validateRule(e, toJSON(r), field); err != nil {
			return err
		}
	}
	if scope == policyadmin.ScopeAdmin {
		return checkAdminRules(rules, list, false) // the command line refuses such a permission whatever it does
	}
	return nil
}
