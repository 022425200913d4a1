package modelcheck

import (
	"fmt"
	"strconv"

	"github.com/casbin/casbin/v2/constant"
	"github.com/casbin/casbin/v2/model"
)

// priorityFields finds each p ptype's priority field as Casbin's
// SortPoliciesByPriority does (model.GetFieldIndex: an index set on the
// model, else the field named priority).
func priorityFields(m model.Model) map[string]int {
	out := map[string]int{}
	for ptype, a := range m["p"] {
		if i, err := m.GetFieldIndex(ptype, constant.PriorityIndex); err == nil && i >= 0 && i < len(a.Tokens) {
			out[ptype] = i
		}
	}
	return out
}

// priorityProblem refuses a priority that strconv.Atoi cannot read.
// Casbin's loader sorts the policy by priority with a comparison that
// calls such a rule smaller than every other and every other smaller than
// it, so where it ends up depends on the sort's algorithm and on the rules
// around it (and its AddPolicy stops sorting at it): under a priority
// effect, whether it decides at all. Atoi's integers are what Casbin
// orders: a sign, decimal digits, no spaces, within int.
func priorityProblem(v string) string {
	if _, err := strconv.Atoi(v); err != nil {
		return fmt.Sprintf("%q is not an integer, and Casbin orders rules by their priority read with strconv.Atoi (a rule it cannot read lands anywhere)", v)
	}
	return ""
}
