package parity

import (
	"strconv"
	"strings"
	"unicode"
)

// token is one lexical token of a matcher or an eval() rule value: an
// identifier (with its accessor path: r_sub.Age), a string or number
// literal, or an operator or punctuation.
type token struct {
	kind byte // 'i' identifier, 's' string, 'n' number, 'o' other
	text string
}

// lex splits an expression in govaluate's syntax. It is forgiving: the
// matcher has been parsed by Casbin already, and what lex gets wrong only
// makes the generated requests less pointed, never the comparison wrong.
func lex(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			var b strings.Builder
			for j < len(s) && s[j] != c {
				if s[j] == '\\' && j+1 < len(s) && c != '`' {
					j++
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, token{'s', b.String()})
			i = j + 1
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			out = append(out, token{'n', s[i:j]})
			i = j
		case c == '_' || c < 0x80 && unicode.IsLetter(rune(c)):
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '.' || s[j] < 0x80 && (unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j])))) {
				j++
			}
			out = append(out, token{'i', s[i:j]})
			i = j
		default:
			j := i + 1
			if j < len(s) && strings.ContainsRune("&|=!<>", rune(s[j])) && strings.ContainsRune("&|=!<>", rune(c)) {
				j++
			}
			out = append(out, token{'o', s[i:j]})
			i = j
		}
	}
	return out
}

// shape is what the generator learns from a model: which policy fields and
// role-link fields each request field is compared with, the literals it
// meets, and the attributes read from it.
type shape struct {
	rTok []string // request tokens: r_sub, r_obj…
	pTok []string // policy tokens of "p" (or the definition's)

	pLinks    [][]int           // per request field: the p fields it meets
	pBest     []int             // per request field: the p field it most likely equals, or -1
	calls     []roleCall        // the role calls of the matcher, in order
	roleLinks [][]roleField     // per request field: the role-link fields it is passed as
	literals  [][]string        // per request field: string literals it meets
	attrs     []map[string]bool // per request field: attributes read (r_obj.Owner)
	plain     []bool            // per request field: read without an attribute
	attrLits  map[attrKey][]any // per attribute: the literals it meets, numbers ±1
	numbers   []float64         // every number in the matcher and in eval()'d rule values
	strs      []string          // every string literal in the matcher and in eval()'d rule values
}

// roleCall is one call of a role function: g(r_sub, p_sub, r_dom) has the
// arguments {r 0}, {p 0}, {r 2}; an argument that is no plain field has
// both at -1.
type roleCall struct {
	g    string
	args []callArg
}

type callArg struct{ r, p int }

// roleField is field k of the links of role definition g.
type roleField struct {
	g string
	k int
}

func analyse(matcher string, rTok, pTok []string, gNames map[string]bool, evalValues []string) *shape {
	sh := &shape{rTok: rTok, pTok: pTok}
	n := len(rTok)
	sh.pLinks = make([][]int, n)
	sh.roleLinks = make([][]roleField, n)
	sh.literals = make([][]string, n)
	sh.attrs = make([]map[string]bool, n)
	sh.plain = make([]bool, n)
	sh.pBest = make([]int, n)
	sh.attrLits = map[attrKey][]any{}
	rIdx := map[string]int{}
	pIdx := map[string]int{}
	for i, t := range pTok {
		pIdx[t] = i
	}
	for i, t := range rTok {
		rIdx[t] = i
		sh.attrs[i] = map[string]bool{}
		// The policy field of the same name is the best guess.
		sh.pBest[i] = -1
		if j, ok := pIdx[tokenPrefix(pTok)+strings.TrimPrefix(t, tokenPrefix(rTok))]; ok {
			sh.pBest[i] = j
		}
	}
	// field splits an identifier into its request or policy field and the
	// first attribute of its accessor path.
	field := func(id string) (r, p int, attr string) {
		head, rest, _ := strings.Cut(id, ".")
		attr, _, _ = strings.Cut(rest, ".")
		r, p = -1, -1
		if i, ok := rIdx[head]; ok {
			r = i
		}
		if i, ok := pIdx[head]; ok {
			p = i
		}
		return r, p, attr
	}
	// Atoms: the operands of && and ||, at any depth. Every request
	// field of an atom is linked to every policy field and literal in it,
	// and every attribute of one to the literals (r.sub.Age >= 18).
	var atom []token
	flush := func() {
		var rs, ps []int
		var attrs []attrKey
		var lits []string
		var nums []float64
		for _, t := range atom {
			switch t.kind {
			case 'i':
				r, p, attr := field(t.text)
				if r >= 0 {
					rs = append(rs, r)
					if attr != "" {
						sh.attrs[r][attr] = true
						attrs = append(attrs, attrKey{r, attr})
					} else {
						sh.plain[r] = true
					}
				}
				if p >= 0 {
					ps = append(ps, p)
				}
			case 's':
				lits = append(lits, t.text)
				sh.strs = append(sh.strs, t.text)
			case 'n':
				if f, err := strconv.ParseFloat(t.text, 64); err == nil {
					nums = append(nums, f)
					sh.numbers = append(sh.numbers, f)
				}
			}
		}
		if len(rs) == 1 && len(ps) == 1 && sh.pBest[rs[0]] < 0 {
			sh.pBest[rs[0]] = ps[0]
		}
		for _, r := range rs {
			sh.pLinks[r] = appendNew(sh.pLinks[r], ps...)
			sh.literals[r] = appendNew(sh.literals[r], lits...)
		}
		for _, a := range attrs {
			for _, l := range lits {
				sh.attrLits[a] = appendNew(sh.attrLits[a], any(l))
			}
			for _, f := range nums {
				sh.attrLits[a] = appendNew(sh.attrLits[a], any(f-1), any(f), any(f+1))
			}
		}
		atom = atom[:0]
	}
	walk := func(toks []token, calls bool) {
		for i, t := range toks {
			if t.kind == 'o' && (t.text == "&&" || t.text == "||") {
				flush()
				continue
			}
			atom = append(atom, t)
			// A role call: the request fields of its k-th argument are
			// links' k-th field.
			if calls && t.kind == 'i' && gNames[t.text] && i+1 < len(toks) && toks[i+1].text == "(" {
				sh.calls = append(sh.calls, roleCallAt(t.text, toks[i+1:], field))
				for k, a := range sh.calls[len(sh.calls)-1].args {
					if a.r >= 0 {
						sh.roleLinks[a.r] = appendNew(sh.roleLinks[a.r], roleField{t.text, k})
					}
				}
			}
		}
		flush()
	}
	walk(lex(matcher), true)
	// eval()'d rule values read request fields as written in the policy
	// (r.sub.Age > 18); Casbin escapes them as it does the matcher.
	for _, v := range evalValues {
		toks := lex(v)
		for i, t := range toks {
			if t.kind == 'i' {
				toks[i].text = escapeField(t.text)
			}
		}
		walk(toks, false)
	}
	return sh
}

// escapeField writes r.sub.Age as the matcher's r_sub.Age.
func escapeField(id string) string {
	head, rest, ok := strings.Cut(id, ".")
	if !ok || len(head) == 0 || head[0] != 'r' && head[0] != 'p' {
		return id
	}
	return head + "_" + rest
}

// attrKey names an attribute of a request field.
type attrKey struct {
	r    int
	attr string
}

// roleCallAt reads the arguments of a call of role function g; toks start
// at its opening parenthesis.
func roleCallAt(g string, toks []token, field func(string) (r, p int, attr string)) roleCall {
	c := roleCall{g: g}
	depth := 0
	var arg []token
	end := func() {
		a := callArg{-1, -1}
		if len(arg) == 1 && arg[0].kind == 'i' {
			if r, p, attr := field(arg[0].text); attr == "" {
				a = callArg{r, p}
			}
		}
		c.args = append(c.args, a)
		arg = arg[:0]
	}
	for _, t := range toks {
		switch {
		case t.text == "(":
			depth++
			if depth == 1 {
				continue
			}
		case t.text == ")":
			depth--
			if depth == 0 {
				end()
				return c
			}
		case t.text == "," && depth == 1:
			end()
			continue
		}
		arg = append(arg, t)
	}
	return c
}

// tokenPrefix is the definition's key before the field names of its
// tokens: "r2_" of r2_sub.
func tokenPrefix(toks []string) string {
	if len(toks) == 0 {
		return ""
	}
	key, _, _ := strings.Cut(toks[0], "_")
	return key + "_"
}

// evalFields are the policy fields the matcher passes to eval().
func evalFields(matcher string, pTok []string) []int {
	var out []int
	toks := lex(matcher)
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].kind == 'i' && toks[i].text == "eval" && toks[i+1].text == "(" && toks[i+2].kind == 'i' {
			for j, p := range pTok {
				if toks[i+2].text == p {
					out = appendNew(out, j)
				}
			}
		}
	}
	return out
}

func appendNew[T comparable](s []T, vs ...T) []T {
outer:
	for _, v := range vs {
		for _, x := range s {
			if x == v {
				continue outer
			}
		}
		s = append(s, v)
	}
	return s
}
