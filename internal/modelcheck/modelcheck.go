package modelcheck

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/casbin/casbin/v2/constant"
)

// sectionLetter maps the sections Casbin reads to the letter of their keys.
var sectionLetter = map[string]string{
	"request_definition": "r",
	"policy_definition":  "p",
	"role_definition":    "g",
	"policy_effect":      "e",
	"matchers":           "m",
}

var sectionOrder = []string{"request_definition", "policy_definition", "role_definition", "policy_effect", "matchers"}

// builtinFuncs are the functions Casbin v2.135 registers for every matcher
// (model.LoadFunctionMap) plus eval, which the enforcer adds itself.
// timeMatch is not among them: Casbin only uses it for conditional roles.
var builtinFuncs = map[string]bool{
	"keyMatch": true, "keyMatch2": true, "keyMatch3": true, "keyMatch4": true, "keyMatch5": true,
	"keyGet": true, "keyGet2": true, "keyGet3": true,
	"regexMatch": true, "ipMatch": true, "globMatch": true, "eval": true,
}

// supportedEffects are the expressions Casbin's default effector knows; it
// compares the text exactly, so any other spelling fails at decision time.
var supportedEffects = []string{
	constant.AllowOverrideEffect,
	constant.DenyOverrideEffect,
	constant.AllowAndDenyEffect,
	constant.PriorityEffect,
	constant.SubjectPriorityEffect,
}

var (
	nameRE      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	gFuncRE     = regexp.MustCompile(`^g[0-9]*$`)
	rpRE        = regexp.MustCompile(`^[rp][0-9]*$`)
	escapedRE   = regexp.MustCompile(`^([rp][0-9]*)_(.+)$`)
	effEscapeRE = regexp.MustCompile(`(^|[^A-Za-z0-9_])([rp][0-9]*)\.`)
)

// defs holds the keys Casbin actually loads, by section letter.
type defs map[string]map[string]entry

// tokens returns the field names of an r or p definition.
func (d defs) tokens(key string) []string {
	e, ok := d[key[:1]][key]
	if !ok {
		return nil
	}
	var out []string
	for _, t := range strings.Split(e.value, ",") {
		out = append(out, strings.TrimSpace(t))
	}
	return out
}

func checkModel(mf *modelFile, opts modelOptions) {
	ps := mf.probs
	d := defs{}
	for _, l := range sectionLetter {
		d[l] = map[string]entry{}
	}
	for _, sec := range mf.sections {
		if sec.name == "" {
			for _, e := range sec.keys {
				ps.Add(e.line, "%s is outside any section; Casbin ignores it", e.key)
			}
			continue
		}
		letter, known := sectionLetter[sec.name]
		if !known {
			ps.Add(sec.line, "unknown section [%s] (Casbin reads %s)", sec.name, strings.Join(sectionOrder, ", "))
			continue
		}
		for _, e := range sec.keys {
			if !keyShape(letter, e.key) {
				ps.Add(e.line, "key %s in [%s] is never read: Casbin reads %s, %s2, %s3, ...", e.key, sec.name, letter, letter, letter)
				continue
			}
			if prev, dup := d[letter][e.key]; dup {
				ps.Add(e.line, "%s is defined again (first at line %d); Casbin uses this one", e.key, prev.line)
			}
			d[letter][e.key] = e
		}
	}
	// Casbin reads L, L2, L3, ... and stops at the first missing key.
	for _, name := range sectionOrder {
		letter := sectionLetter[name]
		missing := 1
		for {
			if _, ok := d[letter][keyName(letter, missing)]; !ok {
				break
			}
			missing++
		}
		for _, key := range sortedKeys(d[letter]) {
			if keyNum(key) > missing {
				ps.Add(d[letter][key].line, "%s is ignored: Casbin stops reading [%s] at the missing %s", key, name, keyName(letter, missing))
				delete(d[letter], key)
			}
		}
	}
	for _, name := range []string{"request_definition", "policy_definition", "policy_effect", "matchers"} {
		letter := sectionLetter[name]
		if _, ok := d[letter][letter]; !ok {
			ps.Add(sectionLine(mf, name), "missing %s = ... in [%s], which Casbin requires", letter, name)
		}
	}
	for _, letter := range []string{"r", "p"} {
		for _, key := range sortedKeys(d[letter]) {
			checkFields(ps, d[letter][key])
		}
	}
	for _, key := range sortedKeys(d["g"]) {
		checkRoleDef(ps, d["g"][key])
	}
	for _, key := range sortedKeys(d["e"]) {
		checkEffect(ps, d["e"][key])
	}
	for _, key := range sortedKeys(d["m"]) {
		checkMatcher(ps, d["m"][key], d, opts)
	}
}

func keyShape(letter, key string) bool {
	if !strings.HasPrefix(key, letter) {
		return false
	}
	return keyNum(key) > 0
}

// keyNum returns 1 for "p", n for "pN" (n >= 2) and 0 for anything else.
func keyNum(key string) int {
	rest := key[1:]
	if rest == "" {
		return 1
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 2 || strconv.Itoa(n) != rest {
		return 0
	}
	return n
}

func keyName(letter string, n int) string {
	if n == 1 {
		return letter
	}
	return letter + strconv.Itoa(n)
}

func sectionLine(mf *modelFile, name string) int {
	for _, s := range mf.sections {
		if s.name == name {
			return s.line
		}
	}
	return 1
}

func sortedKeys(m map[string]entry) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return keyNum(a) - keyNum(b) })
	return keys
}

func checkFields(ps *Problems, e entry) {
	seen := map[string]bool{}
	for _, t := range strings.Split(e.value, ",") {
		t = strings.TrimSpace(t)
		switch {
		case !nameRE.MatchString(t):
			ps.Add(e.line, "%s: field %q is not a name", e.key, t)
		case seen[t]:
			ps.Add(e.line, "%s: field %s is defined twice", e.key, t)
		}
		seen[t] = true
	}
}

func checkRoleDef(ps *Problems, e entry) {
	v := e.value
	if i := strings.Index(v, "("); i >= 0 {
		v = v[:i]
	}
	n := 0
	for _, t := range strings.Split(v, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		n++
		if t != "_" {
			ps.Add(e.line, "%s: role definition fields are written _, not %q", e.key, t)
		}
	}
	if n < 2 {
		ps.Add(e.line, "%s: a role definition needs at least two fields (_, _)", e.key)
	}
}

func checkEffect(ps *Problems, e entry) {
	v := effEscapeRE.ReplaceAllString(e.value, "${1}${2}_")
	if slices.Contains(supportedEffects, v) {
		return
	}
	var opts []string
	for _, s := range supportedEffects {
		opts = append(opts, strings.ReplaceAll(s, "p_eft", "p.eft"))
	}
	ps.Add(e.line, "%s: effect %q is not supported by Casbin; use one of: %s", e.key, e.value, strings.Join(opts, " | "))
}

// checkMatcher reports names the matcher uses that the model does not
// define (r.x and p.x fields; functions other than Casbin's built-ins and
// the model's role definitions) and role functions called with a number of
// arguments their definition does not have, and eval() of request data
// (unless opts allow it).
func checkMatcher(ps *Problems, e entry, d defs, opts modelOptions) {
	v := e.value
	for _, msg := range LiteralProblems(v) {
		ps.Add(e.line, "%s: %s", e.key, msg)
	}
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = skipString(v, i)
		case c >= '0' && c <= '9':
			j := i
			for j < len(v) && (isWord(v[j]) || v[j] == '.') {
				j++
			}
			i = j
		case isWord(c):
			j := i
			for j < len(v) && (isWord(v[j]) || v[j] == '.') {
				j++
			}
			name := strings.TrimRight(v[i:j], ".")
			k := j
			for k < len(v) && (v[k] == ' ' || v[k] == '\t') {
				k++
			}
			call := k < len(v) && v[k] == '('
			if msg := checkName(name, call, d); msg != "" {
				ps.Add(e.lineAt(i), "%s: %s", e.key, msg)
			} else if call {
				args := callArgs(v, k)
				if g, ok := d["g"][name]; ok {
					if want := roleArity(g); len(args) != want {
						ps.Add(e.lineAt(i), "%s: %s takes %d arguments (%s = %s), called with %d", e.key, name, want, name, g.value, len(args))
					}
				}
				if name == "eval" && !opts.requestEval {
					for _, a := range args {
						if refsRequest(a) {
							ps.Add(e.lineAt(i), "%s: eval(%s) evaluates request data: whoever sends the request decides what it may do (the enforcer refuses it unless WithRequestEvalUnsafe is given)", e.key, a)
						}
					}
				}
			}
			i = j
		default:
			i++
		}
	}
}

func skipString(v string, i int) int {
	q := v[i]
	j := i + 1
	for j < len(v) && v[j] != q {
		if v[j] == '\\' {
			j++
		}
		j++
	}
	return j + 1
}

// callArgs splits the arguments of the call whose "(" is at v[open], at
// top-level commas.
func callArgs(v string, open int) []string {
	var args []string
	depth, start := 0, open+1
	for i := open; i < len(v); i++ {
		switch v[i] {
		case '"', '\'', '`':
			i = skipString(v, i) - 1
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				if a := strings.TrimSpace(v[start:i]); a != "" || len(args) > 0 {
					args = append(args, a)
				}
				return args
			}
		case ',':
			if depth == 1 {
				args = append(args, strings.TrimSpace(v[start:i]))
				start = i + 1
			}
		}
	}
	return args
}

// roleArity is the number of arguments a role function takes: one per _
// of its definition, parameters of a conditional definition excluded.
func roleArity(g entry) int {
	v := g.value
	if i := strings.Index(v, "("); i >= 0 {
		v = v[:i]
	}
	n := 0
	for _, t := range strings.Split(v, ",") {
		if strings.TrimSpace(t) != "" {
			n++
		}
	}
	return n
}

func isWord(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func checkName(name string, call bool, d defs) string {
	segs := strings.Split(name, ".")
	head := segs[0]
	if len(segs) == 1 && head == "in" {
		return "" // the membership operator: r.obj in ('a', 'b')
	}
	if len(segs) == 1 {
		if call {
			if builtinFuncs[head] {
				return ""
			}
			if _, ok := d["g"][head]; ok {
				return ""
			}
			if gFuncRE.MatchString(head) {
				return fmt.Sprintf("function %s is not defined: add %s = _, _ under [role_definition]", head, head)
			}
			return fmt.Sprintf("unknown function %s (not a Casbin built-in or a role definition)", head)
		}
		switch head {
		case "true", "false":
			return ""
		}
		if m := escapedRE.FindStringSubmatch(head); m != nil {
			return checkField(m[1], m[2], d)
		}
		return fmt.Sprintf("unknown name %s", head)
	}
	if !rpRE.MatchString(head) {
		return fmt.Sprintf("unknown name %s", head)
	}
	if msg := checkField(head, segs[1], d); msg != "" || head[0] != 'p' || len(segs) < 3 {
		return msg
	}
	// A policy value is always a string: reading an attribute of it fails
	// every decision that reaches the matcher.
	return fmt.Sprintf("%s: policy values are strings, so %s.%s has no attribute %s", name, head, segs[1], segs[2])
}

func checkField(key, field string, d defs) string {
	what := "request definition"
	sec := "request_definition"
	if key[0] == 'p' {
		what, sec = "policy definition", "policy_definition"
	}
	toks := d.tokens(key)
	if toks == nil {
		return fmt.Sprintf("%s.%s: %s is not defined in [%s]", key, field, key, sec)
	}
	if slices.Contains(toks, field) {
		return ""
	}
	return fmt.Sprintf("%s.%s is not defined: %s %s has %s", key, field, what, key, strings.Join(toks, ", "))
}
