package hierarchy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/permission"
)

// Errors matched with errors.Is.
var (
	// ErrCycle is wrapped when roles inherit from each other in a loop.
	ErrCycle = warden.NewError(warden.ErrInvalid, "hierarchy: role inheritance cycle")
	// ErrInvalid is wrapped for an empty role name or invalid permission.
	ErrInvalid = warden.NewError(warden.ErrInvalid, "hierarchy: invalid graph")
)

// Graph is a role hierarchy as a source stores it.
type Graph struct {
	// Parents maps a role to the roles it inherits from.
	Parents map[string][]string
	// Permissions maps a role to the permissions it holds itself.
	Permissions map[string][]string
}

// Expanded is a Graph with inheritance resolved. It is immutable and safe
// for concurrent use.
type Expanded struct {
	roles map[string][]string // role -> the role and all its ancestors
	perms map[string][]string // role -> all its permissions
}

// Expand resolves g. Roles are listed nearest first (the role itself, its
// parents, their parents...), each once.
func Expand(g Graph) (*Expanded, error) {
	names := map[string]struct{}{}
	for r, ps := range g.Parents {
		names[r] = struct{}{}
		for _, p := range ps {
			names[p] = struct{}{}
		}
	}
	for r, perms := range g.Permissions {
		names[r] = struct{}{}
		for _, p := range perms {
			if err := permission.Validate(p); err != nil {
				return nil, fmt.Errorf("%w: role %q: %w", ErrInvalid, r, err)
			}
		}
	}
	if _, ok := names[""]; ok {
		return nil, fmt.Errorf("%w: empty role name", ErrInvalid)
	}
	if err := findCycle(g.Parents); err != nil {
		return nil, err
	}
	e := &Expanded{roles: make(map[string][]string, len(names)), perms: make(map[string][]string, len(names))}
	for r := range names {
		// Breadth-first, so nearer roles come first.
		order := []string{r}
		seen := map[string]bool{r: true}
		for i := 0; i < len(order); i++ {
			for _, p := range g.Parents[order[i]] {
				if !seen[p] {
					seen[p] = true
					order = append(order, p)
				}
			}
		}
		e.roles[r] = order
		var perms []string
		for _, a := range order {
			perms = append(perms, g.Permissions[a]...)
		}
		e.perms[r] = reduce(perms)
	}
	return e, nil
}

// findCycle returns an ErrCycle naming the loop, if there is one.
func findCycle(parents map[string][]string) error {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(r string) error
	visit = func(r string) error {
		switch state[r] {
		case onPath:
			i := slices.Index(path, r)
			return fmt.Errorf("%w: %s", ErrCycle, strings.Join(append(path[i:], r), " -> "))
		case done:
			return nil
		}
		state[r] = onPath
		path = append(path, r)
		for _, p := range parents[r] {
			if err := visit(p); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[r] = done
		return nil
	}
	roots := make([]string, 0, len(parents))
	for r := range parents {
		roots = append(roots, r)
	}
	sort.Strings(roots) // the same graph reports the same cycle
	for _, r := range roots {
		if err := visit(r); err != nil {
			return err
		}
	}
	return nil
}

// reduce removes repeats and allow permissions that another allow
// permission in the list already grants.
func reduce(perms []string) []string {
	perms = adapters.Dedup(perms)
	out := perms[:0:0]
	for _, p := range perms {
		covered := false
		if !strings.HasPrefix(p, "!") {
			for _, q := range perms {
				if q != p && permission.Match(q, p) {
					covered = true
					break
				}
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

// Roles returns the given roles and every role they inherit, each once.
func (e *Expanded) Roles(direct []string) []string {
	var out []string
	for _, r := range direct {
		if all, ok := e.roles[r]; ok {
			out = append(out, all...)
		} else {
			out = append(out, r) // a role the graph does not know: itself only
		}
	}
	return adapters.Dedup(out)
}

// Permissions returns every permission of the given roles, inherited ones
// included.
func (e *Expanded) Permissions(direct []string) []string {
	var out []string
	for _, r := range direct {
		out = append(out, e.perms[r]...)
	}
	return reduce(out)
}
