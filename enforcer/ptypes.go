package enforcer

import (
	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/internal/csvpolicy"
)

// PTypes returns the ptypes m defines, the policy types ("p", "p2", ...)
// first, then the role types ("g", "g2", ...), each group sorted: the
// order in which Warden lists, exports and saves a whole policy, so that
// the same policy always comes out the same.
func PTypes(m model.Model) []string { return csvpolicy.PTypes(m) }

// ModelRules returns the rules m's policy holds (as an adapter loaded
// them, or as Casbin hands a model to SavePolicy), ptype by ptype in the
// order of PTypes and each ptype's in m's order. The values are m's own
// slices, not copies: adapters that save m read them only.
func ModelRules(m model.Model) []Rule {
	var out []Rule
	for _, pt := range PTypes(m) {
		for _, v := range m[Rule{PType: pt}.section()][pt].Policy {
			out = append(out, Rule{PType: pt, Values: v})
		}
	}
	return out
}
