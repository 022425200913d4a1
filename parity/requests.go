package parity

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/lint"
)

// RequestOptions say how many requests Requests makes and from which seed.
type RequestOptions struct {
	N    int
	Seed uint64
	// MaxValue is the length in bytes of the longest string value; 0
	// means lint.DefaultLimits.RequestValue, the longest Warden accepts.
	MaxValue int
	// Definition chooses the request, policy and matcher definitions the
	// requests are made for (r2, p2, m2); the zero value is r, p, m.
	Definition enforcer.Definition
}

// maxBase bounds the distinct policy values a request field draws from, so
// that a policy of a million rules costs no more to sample than one of a
// few hundred; the sample is chosen by the seed.
const maxBase = 512

// Requests generates o.N requests for model m (its "r" definition, or the
// one o.Definition chooses, read by its matcher) and its policy rules: about half start from a rule, its subject reached through a
// role link, with one field moved to a boundary value; the others combine
// policy values and boundary strings at random (see the package doc). The
// same arguments give the same requests. A request field that the matcher
// reads attributes of (r.obj.Owner) is a map[string]any of those
// attributes, as JSON gives it.
func Requests(m model.Model, rules []enforcer.Rule, o RequestOptions) [][]any {
	if o.MaxValue <= 0 {
		o.MaxValue = lint.DefaultLimits.RequestValue
	}
	if m["r"][defaults(o.Definition).R] == nil || o.N <= 0 {
		return nil
	}
	g := newGenerator(m, rules, o)
	out := make([][]any, 0, o.N)
	seen := map[string]bool{}
	for len(out) < o.N {
		var req []any
		// A few tries for a request not asked yet; a small policy may
		// have fewer distinct requests than asked for.
		for try := 0; try < 4; try++ {
			if len(out)%2 == 0 && len(g.pRules) > 0 {
				req = g.fromRule(len(out) / 2)
			} else {
				req = g.random()
			}
			if k := fmt.Sprintf("%#v", req); !seen[k] {
				seen[k] = true
				break
			}
		}
		out = append(out, req)
	}
	return out
}

// defaults is d with its empty names the defaults r, p, e, m.
func defaults(d enforcer.Definition) enforcer.Definition {
	for _, f := range []struct {
		s   *string
		def string
	}{{&d.R, "r"}, {&d.P, "p"}, {&d.E, "e"}, {&d.M, "m"}} {
		if *f.s == "" {
			*f.s = f.def
		}
	}
	return d
}

type generator struct {
	r       *rand.Rand
	sh      *shape
	max     int
	pRules  [][]string            // rules of the definition's ptype (p), in policy order
	order   []int                 // the order fromRule visits pRules in
	gRules  map[string][][]string // role links by role definition
	pools   [][]string            // per request field: the values it is drawn from
	anyPool []string              // every value of the policy and matcher: for attributes
}

func newGenerator(m model.Model, rules []enforcer.Rule, o RequestOptions) *generator {
	g := &generator{
		r:      rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		max:    o.MaxValue,
		gRules: map[string][][]string{},
	}
	d := defaults(o.Definition)
	var pTok []string
	if m["p"][d.P] != nil {
		pTok = m["p"][d.P].Tokens
	}
	gNames := map[string]bool{}
	for name := range m["g"] {
		gNames[name] = true
	}
	matcher := ""
	if m["m"][d.M] != nil {
		matcher = m["m"][d.M].Value
	}
	evalIdx := evalFields(matcher, pTok)
	var evalValues []string
	for _, r := range rules {
		switch {
		case r.PType == d.P:
			g.pRules = append(g.pRules, r.Values)
			for _, i := range evalIdx {
				if i < len(r.Values) {
					evalValues = append(evalValues, r.Values[i])
				}
			}
		case gNames[r.PType] && len(r.Values) >= 2:
			g.gRules[r.PType] = append(g.gRules[r.PType], r.Values)
		}
	}
	g.sh = analyse(matcher, m["r"][d.R].Tokens, pTok, gNames, evalValues)
	g.order = make([]int, len(g.pRules))
	for i := range g.order {
		g.order[i] = i
	}
	if len(g.order) > o.N {
		g.r.Shuffle(len(g.order), func(i, j int) { g.order[i], g.order[j] = g.order[j], g.order[i] })
	}
	g.buildPools()
	return g
}

func (g *generator) buildPools() {
	sh := g.sh
	var all []string
	g.pools = make([][]string, len(sh.rTok))
	for i := range sh.rTok {
		var pool []string
		for _, j := range sh.pLinks[i] {
			for _, r := range g.pRules {
				if j < len(r) {
					pool = append(pool, r[j])
				}
			}
		}
		for _, rf := range sh.roleLinks[i] {
			for _, l := range g.gRules[rf.g] {
				switch {
				case rf.k <= 1 && len(l) >= 2:
					// A subject may be a member or a role itself.
					pool = append(pool, l[0], l[1])
				case rf.k < len(l):
					pool = append(pool, l[rf.k])
				}
			}
		}
		pool = append(pool, sh.literals[i]...)
		if len(pool) == 0 {
			// No comparison found: the policy field of the same name, or
			// any policy value.
			name := strings.TrimPrefix(sh.rTok[i], "r_")
			j := slices.Index(sh.pTok, "p_"+name)
			for _, r := range g.pRules {
				if j >= 0 && j < len(r) {
					pool = append(pool, r[j])
				} else if j < 0 {
					pool = append(pool, r...)
				}
			}
		}
		g.pools[i] = g.sample(dedupe(pool))
		all = append(all, g.pools[i]...)
	}
	all = append(all, sh.strs...)
	g.anyPool = g.sample(dedupe(all))
}

// sample keeps at most maxBase values, chosen by the seed, in their order.
func (g *generator) sample(vals []string) []string {
	if len(vals) <= maxBase {
		return vals
	}
	idx := g.r.Perm(len(vals))[:maxBase]
	slices.Sort(idx)
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = vals[i]
	}
	return out
}

func dedupe(vals []string) []string {
	seen := make(map[string]bool, len(vals))
	out := vals[:0:0]
	for _, v := range vals {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// fromRule makes the k-th rule-anchored request: each request field takes
// the value of the policy field it meets in the rule (the subject, half the
// time, a member who reaches the rule's subject through role links), then
// half of the requests have one field moved to a boundary value.
func (g *generator) fromRule(k int) []any {
	var rule []string
	if k < len(g.order) {
		rule = g.pRules[g.order[k]]
	} else {
		rule = g.pRules[g.r.IntN(len(g.pRules))]
	}
	sh := g.sh
	vals := make([]string, len(sh.rTok))
	for i := range sh.rTok {
		if j := sh.pBest[i]; j >= 0 && j < len(rule) {
			vals[i] = rule[j]
		} else {
			vals[i] = g.pick(i)
		}
	}
	// Most of the time, each role call is satisfied by a link: one whose
	// fields passed policy fields hold the rule's values there, and
	// preferably whose fields passed request fields hold the values
	// chosen so far; the request fields take the link's values, and the
	// member half the time a member of the member.
	for _, c := range sh.calls {
		if g.r.IntN(4) == 0 {
			continue
		}
		l := g.link(c, rule, vals)
		if l == nil {
			continue
		}
		for k, a := range c.args {
			if a.r >= 0 && k < len(l) {
				vals[a.r] = l[k]
			}
		}
		if a := c.args[0]; a.r >= 0 && g.r.IntN(2) == 0 {
			vals[a.r] = g.member(c.g, l)
		}
	}
	for i, v := range vals {
		if strings.Contains(v, "/") && len(ipVariants(v)) > 0 {
			vals[i] = g.variant(v)
		}
	}
	if g.r.IntN(2) == 0 {
		i := g.r.IntN(len(vals))
		vals[i] = g.variant(vals[i])
	}
	return g.finish(vals)
}

// link picks a link of c's role definition that fits rule and vals (see
// fromRule), or nil.
func (g *generator) link(c roleCall, rule, vals []string) []string {
	var fit, loose [][]string
next:
	for _, l := range g.gRules[c.g] {
		exact := true
		for k, a := range c.args {
			switch {
			case k >= len(l):
			case a.p >= 0 && (a.p >= len(rule) || l[k] != rule[a.p]):
				continue next
			case a.r >= 0 && k > 0 && l[k] != vals[a.r]:
				exact = false
			}
		}
		if exact {
			fit = append(fit, l)
		} else {
			loose = append(loose, l)
		}
	}
	switch {
	case len(fit) > 0:
		return fit[g.r.IntN(len(fit))]
	case len(loose) > 0:
		return loose[g.r.IntN(len(loose))]
	}
	return nil
}

// member walks up to three links down from link l's member: a member who
// reaches l's role through l, in l's domain when it has one.
func (g *generator) member(gname string, l []string) string {
	m := l[0]
	for steps := 1 + g.r.IntN(3); steps > 0; steps-- {
		var ms []string
		for _, x := range g.gRules[gname] {
			if x[1] == m && (len(l) < 3 || len(x) < 3 || x[2] == l[2]) {
				ms = append(ms, x[0])
			}
		}
		if len(ms) == 0 {
			break
		}
		m = ms[g.r.IntN(len(ms))]
	}
	return m
}

func (g *generator) random() []any {
	vals := make([]string, len(g.sh.rTok))
	for i := range vals {
		vals[i] = g.pick(i)
		if g.r.IntN(2) == 0 {
			vals[i] = g.variant(vals[i])
		}
	}
	return g.finish(vals)
}

func (g *generator) pick(i int) string {
	pool := g.pools[i]
	if len(pool) == 0 || g.r.IntN(12) == 0 {
		return g.special()
	}
	return pool[g.r.IntN(len(pool))]
}

// finish turns the string values into request values: a field whose
// attributes the matcher reads becomes a map of them.
func (g *generator) finish(vals []string) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
		if len(g.sh.attrs[i]) == 0 || (g.sh.plain[i] && g.r.IntN(4) == 0) {
			continue
		}
		obj := map[string]any{}
		for _, a := range sortedKeys(g.sh.attrs[i]) {
			if g.r.IntN(16) == 0 {
				continue // a missing attribute: an evaluation error on both sides
			}
			obj[a] = g.attribute(attrKey{i, a}, vals)
		}
		out[i] = obj
	}
	return out
}

// attribute is a value for a request attribute: mostly a literal the
// attribute is compared with (a number ±1), else a number near one the
// matcher or an eval() rule compares with, a value of another field of the
// same request (r.sub == r.obj.Owner), or a policy value.
func (g *generator) attribute(key attrKey, vals []string) any {
	if lits := g.sh.attrLits[key]; len(lits) > 0 && g.r.IntN(4) != 0 {
		v := lits[g.r.IntN(len(lits))]
		if f, ok := v.(float64); ok && g.r.IntN(4) == 0 {
			return int(f)
		}
		return v
	}
	switch n := g.r.IntN(8); {
	case n < 3 && len(g.sh.numbers) > 0:
		f := g.sh.numbers[g.r.IntN(len(g.sh.numbers))] + float64(g.r.IntN(3)-1)
		if g.r.IntN(4) == 0 {
			return int(f)
		}
		return f
	case n < 5:
		return vals[g.r.IntN(len(vals))]
	case len(g.anyPool) > 0:
		return g.variantOr(g.anyPool[g.r.IntN(len(g.anyPool))])
	}
	return g.special()
}

func (g *generator) variantOr(v string) string {
	if g.r.IntN(2) == 0 {
		return g.variant(v)
	}
	return v
}

// special is a value no policy needs to hold for it to matter.
func (g *generator) special() string {
	specials := []string{"", "*", "/", ".*", "_", "日本語", "é", "\u00a0", "null", "true", "0",
		strings.Repeat("a", g.max), strings.Repeat("é", g.max/2), strings.Repeat("/a", g.max/2)}
	return specials[g.r.IntN(len(specials))]
}

var (
	keyParam  = regexp.MustCompile(`:[A-Za-z0-9_]+`)
	braceVar  = regexp.MustCompile(`\{[^}]*\}`)
	regexAtom = regexp.MustCompile(`\\d\+|\[0-9\]\+|\[\^/\]\+|\.\*|\.\+|\\w\+`)
	homoglyph = strings.NewReplacer("o", "о", "a", "а", "e", "е", "c", "с", "p", "р")
)

// variants are the boundary values around v: its instances and near misses
// as a pattern, prefixes and suffixes, case and homoglyphs, addresses at the
// edges of a block, the longest accepted extension.
func (g *generator) variants(v string) []string {
	out := []string{v + "/", v + "/x", v + "x", "x" + v, strings.TrimSuffix(v, "/"), v + " ", " " + v, v + "é",
		strings.ToUpper(v), strings.ToLower(v), homoglyph.Replace(v)}
	if v != "" {
		_, first := utf8.DecodeRuneInString(v)
		_, last := utf8.DecodeLastRuneInString(v)
		out = append(out, v[:len(v)-last], v[first:], v[:first])
	}
	if strings.Contains(v, "*") {
		for _, s := range []string{"", "x", "x/y", "x/*"} {
			out = append(out, strings.ReplaceAll(v, "*", s))
		}
		out = append(out, strings.TrimSuffix(strings.ReplaceAll(v, "*", ""), "/"))
	}
	if strings.Contains(v, "?") {
		out = append(out, strings.ReplaceAll(v, "?", "x"), strings.ReplaceAll(v, "?", ""))
	}
	if keyParam.MatchString(v) {
		out = append(out, keyParam.ReplaceAllString(v, "1"), keyParam.ReplaceAllString(v, ""), keyParam.ReplaceAllString(v, "a/b"))
	}
	if braceVar.MatchString(v) {
		out = append(out, braceVar.ReplaceAllString(v, "1"), braceVar.ReplaceAllString(v, ""), braceVar.ReplaceAllString(v, "a/b"))
	}
	if strings.ContainsAny(v, "^$|()[]+\\") {
		plain := strings.Trim(v, "^$")
		plain = regexAtom.ReplaceAllString(plain, "12")
		out = append(out, plain)
		for _, alt := range strings.Split(plain, "|") {
			out = append(out, strings.Trim(alt, "()"))
		}
	}
	out = append(out, ipVariants(v)...)
	if len(v) < g.max {
		out = append(out, v+strings.Repeat("a", g.max-len(v)))
	}
	return out
}

func (g *generator) variant(v string) string {
	// An address block's own text is no address: its edges are what an
	// ipMatch rule is asked about.
	if ips := ipVariants(v); len(ips) > 0 && g.r.IntN(4) != 0 {
		return ips[g.r.IntN(len(ips))]
	}
	vs := g.variants(v)
	s := vs[g.r.IntN(len(vs))]
	if len(s) > g.max {
		s = s[:g.max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// ipVariants are, for an address, the next one; for a block, its first
// and last addresses and those just outside it.
func ipVariants(v string) []string {
	if a, err := netip.ParseAddr(v); err == nil {
		return []string{a.Next().String(), a.Prev().String()}
	}
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return nil
	}
	p = p.Masked()
	first := p.Addr()
	b := first.AsSlice()
	for bit := p.Bits(); bit < len(b)*8; bit++ {
		b[bit/8] |= 0x80 >> (bit % 8)
	}
	last, _ := netip.AddrFromSlice(b)
	out := []string{first.String(), last.String(), first.Next().String()}
	if a := first.Prev(); a.IsValid() {
		out = append(out, a.String())
	}
	if a := last.Next(); a.IsValid() {
		out = append(out, a.String())
	}
	return out
}
