package adapters

import (
	"errors"
	"fmt"
	"strings"
)

// CheckRuleValue reports whether v, a name a store turns into a Casbin
// rule (a user, a group, a permission), can be one without being confused
// with another rule: Casbin keys rules by their values joined with ", ", so
// a comma, a quote or a line break would let one stored name stand for two
// rules, and outer space would make a name that looks like another. The
// error says why, with no sentinel: each store wraps it in its own.
func CheckRuleValue(v string) error {
	switch {
	case v == "":
		return errors.New("empty")
	case strings.ContainsAny(v, ",\"\r\n"):
		return fmt.Errorf("%q contains a comma, quote or line break", v)
	case strings.TrimSpace(v) != v:
		return fmt.Errorf("%q has leading or trailing space", v)
	}
	return nil
}
