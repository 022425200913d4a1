package lint

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/internal/csvpolicy"
	"github.com/wardenhq/warden/internal/modelcheck"
)

// checkPolicy lints a policy file. Syntax is checked line by line so that
// one bad line does not hide the next; the rest needs the model m and is
// skipped when the model does not load.
func checkPolicy(ps *modelcheck.Problems, data []byte, m model.Model) {
	lines, err := csvpolicy.Parse(ps.File, bytes.NewReader(data))
	if err != nil {
		// Parse stops at the first bad line; go line by line to find all.
		lines = parseEachLine(ps, data)
	}
	if m == nil {
		return
	}
	var good []csvpolicy.Line
	for _, l := range lines {
		if err := csvpolicy.Check(ps.File, []csvpolicy.Line{l}, m); err != nil {
			msg := parseMessage(err)
			if errors.Is(err, csvpolicy.ErrFieldCount) && eftOmitted(l, m) {
				msg += " (Casbin v2 has no default for a missing eft: write allow or deny)"
			}
			ps.Add(l.Num, "%s", msg)
			continue
		}
		good = append(good, l)
	}
	checkEft(ps, good, m)
	checkValues(ps, good, m)
	checkDuplicates(ps, good)
	checkCycles(ps, good, m)
	checkWindows(ps, good, m)
}

// timeLayout is the layout of the bounds of Casbin's time window
// (util.TimeMatch).
const timeLayout = "2006-01-02 15:04:05"

// checkWindows reads the parameters of conditional links as the time
// window Warden gives them unless a condition is registered in code
// (enforcer.WithLinkCondition), which `warden serve` cannot: a bound that
// is neither a time nor _ makes util.TimeMatchFunc fail, and a window that
// ends before it starts never holds. Either way the link grants nothing.
func checkWindows(ps *modelcheck.Problems, lines []csvpolicy.Line, m model.Model) {
	for _, l := range lines {
		ast := m["g"][l.PType]
		if ast == nil || len(ast.ParamsTokens) != 2 || len(l.Values) != len(ast.Tokens)+2 {
			continue
		}
		n := len(ast.Tokens)
		var bounds [2]time.Time
		bad := false
		for i, v := range l.Values[n:] {
			if v == "_" {
				continue
			}
			t, err := time.Parse(timeLayout, v)
			if err != nil {
				ps.Add(l.Num, "field %d: %q is neither a time (%s) nor _, so Casbin's time window fails on it and this link never holds", n+i+1, v, timeLayout)
				bad = true
				continue
			}
			bounds[i] = t
		}
		if !bad && l.Values[n] != "_" && l.Values[n+1] != "_" && !bounds[0].Before(bounds[1]) {
			ps.Add(l.Num, "the time window %s to %s is empty (both bounds are exclusive), so this link never holds", l.Values[n], l.Values[n+1])
		}
	}
}

func parseEachLine(ps *modelcheck.Problems, data []byte) []csvpolicy.Line {
	var lines []csvpolicy.Line
	for i, raw := range bytes.Split(data, []byte("\n")) {
		num := i + 1
		if i > 0 {
			// Parse strips a byte order mark from its first line only; keep
			// a mark further down the file where Parse would see it.
			raw = append([]byte("\n"), raw...)
		}
		got, err := csvpolicy.Parse(ps.File, bytes.NewReader(raw))
		if err != nil {
			ps.Add(num, "%s", parseMessage(err))
			continue
		}
		for _, l := range got {
			l.Num = num
			lines = append(lines, l)
		}
	}
	return lines
}

// parseMessage drops the FILE:LINE: prefix of a csvfile error, which lint
// adds back itself.
func parseMessage(err error) string {
	var pe *csvpolicy.ParseError
	if errors.As(err, &pe) {
		c := *pe
		c.File, c.Line = "", 0
		return strings.TrimPrefix(c.Error(), ": ")
	}
	return err.Error()
}

func eftOmitted(l csvpolicy.Line, m model.Model) bool {
	ast := m["p"][l.PType]
	if ast == nil || len(ast.Tokens) != len(l.Values)+1 {
		return false
	}
	return ast.Tokens[len(ast.Tokens)-1] == l.PType+"_eft"
}

// checkEft flags eft values other than allow and deny: Casbin treats them
// as neither, so such a rule silently never decides anything.
func checkEft(ps *modelcheck.Problems, lines []csvpolicy.Line, m model.Model) {
	for _, l := range lines {
		ast := m["p"][l.PType]
		if ast == nil {
			continue
		}
		i, err := m.GetFieldIndex(l.PType, "eft")
		if err != nil || i >= len(l.Values) || ast.Tokens[i] != l.PType+"_eft" {
			continue
		}
		if v := l.Values[i]; v != "allow" && v != "deny" {
			ps.Add(l.Num, "field eft: %q is neither allow nor deny, so this rule never takes effect", v)
		}
	}
}

func checkDuplicates(ps *modelcheck.Problems, lines []csvpolicy.Line) {
	first := map[string]int{}
	for _, l := range lines {
		key := l.PType + "\x00" + strings.Join(l.Values, "\x00")
		if n, dup := first[key]; dup {
			ps.Add(l.Num, "duplicate rule %s (first at line %d)", l.String(), n)
			continue
		}
		first[key] = l.Num
	}
}

// checkCycles reports the g line that closes a role cycle. Links are kept
// per ptype and per domain, as Casbin's role manager keeps them.
func checkCycles(ps *modelcheck.Problems, lines []csvpolicy.Line, m model.Model) {
	type graphKey struct{ ptype, domain string }
	graphs := map[graphKey]map[string][]string{}
	for _, l := range lines {
		ast := m["g"][l.PType]
		if ast == nil || len(l.Values) < 2 {
			continue
		}
		gk := graphKey{ptype: l.PType}
		if len(ast.Tokens) >= 3 && len(l.Values) >= 3 {
			gk.domain = l.Values[2]
		}
		g := graphs[gk]
		if g == nil {
			g = map[string][]string{}
			graphs[gk] = g
		}
		member, role := l.Values[0], l.Values[1]
		if path := findPath(g, role, member); path != nil {
			chain := append([]string{member}, path...)
			where := ""
			if gk.domain != "" {
				where = fmt.Sprintf(" in domain %s", gk.domain)
			}
			ps.Add(l.Num, "role cycle%s: %s (closed by this line)", where, strings.Join(chain, " -> "))
			continue // keep the graph acyclic so later lines are judged on their own
		}
		g[member] = append(g[member], role)
	}
}

// findPath returns the path from -> ... -> to following member -> role
// links, or nil when to cannot be reached.
func findPath(g map[string][]string, from, to string) []string {
	if from == to {
		return []string{from}
	}
	seen := map[string]bool{from: true}
	prev := map[string]string{}
	queue := []string{from}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, next := range g[n] {
			if seen[next] {
				continue
			}
			seen[next] = true
			prev[next] = n
			if next == to {
				path := []string{to}
				for p := n; ; p = prev[p] {
					path = append([]string{p}, path...)
					if p == from {
						return path
					}
				}
			}
			queue = append(queue, next)
		}
	}
	return nil
}

// checkValues checks every value against the functions the matcher
// passes it to, with the enforcer's default limits (see ValueChecker).
func checkValues(ps *modelcheck.Problems, lines []csvpolicy.Line, m model.Model) {
	c := modelcheck.NewValueChecker(m, modelcheck.Limits{})
	for _, l := range lines {
		if err := c.Check(l.PType, l.Values); err != nil {
			ps.Add(l.Num, "%v", err)
		}
	}
}
