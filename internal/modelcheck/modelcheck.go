package modelcheck

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/casbin/casbin/v2/constant"

	"github.com/wardenhq/warden/internal/matchexpr"
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

// IsBuiltinFunction reports whether Casbin defines a matcher function
// named name for every model (eval included).
func IsBuiltinFunction(name string) bool { return builtinFuncs[name] }

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
		checkRoleDef(ps, d["g"][key], opts)
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

func checkRoleDef(ps *Problems, e entry, opts modelOptions) {
	v := e.value
	if i := strings.Index(v, "("); i >= 0 {
		checkLinkParams(ps, e, v[i:], opts)
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

// checkLinkParams checks the parameters of a conditional role definition
// (g = _, _, (_, _)), params being the text from its "(": Casbin reads
// them from the first (...) (model.getParamsToken), each written _, and
// without a condition registered in code every link's condition is
// Casbin's time window, util.TimeMatchFunc, which takes exactly two.
func checkLinkParams(ps *Problems, e entry, params string, opts modelOptions) {
	inner, rest, closed := strings.Cut(strings.TrimPrefix(params, "("), ")")
	if !closed || strings.TrimSpace(rest) != "" {
		ps.Add(e.line, "%s: link parameters are written last, in one pair of parentheses: g = _, _, (_, _)", e.key)
		return
	}
	n := 0
	for _, t := range strings.Split(inner, ",") {
		n++
		if t = strings.TrimSpace(t); t != "_" {
			ps.Add(e.line, "%s: link parameters are written _, not %q", e.key, t)
			return
		}
	}
	if n != 2 && !opts.conditions[e.key] {
		ps.Add(e.line, "%s: %d link parameters, but with no condition registered in code (enforcer.WithLinkCondition) a link holds by Casbin's time window (util.TimeMatchFunc: start, end), which takes 2: no link of %s would ever hold", e.key, n, e.key)
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
	// Casbin's loader rewrites the value before govaluate reads it (r.sub
	// becomes r_sub, backslashes in literals are doubled...); the checks
	// read what govaluate reads, and report where it was written.
	raw := e.value
	v, source := matchexpr.CasbinText(raw)
	line := func(off int) int { return e.lineAt(source(off)) }
	written := func(toks []matchexpr.Token) string {
		if len(toks) == 0 {
			return ""
		}
		return raw[source(toks[0].Pos) : source(toks[len(toks)-1].End-1)+1]
	}
	if i := strings.IndexFunc(raw, func(r rune) bool { return r >= utf8.RuneSelf }); i >= 0 {
		ps.Add(e.lineAt(i), "%s: non-ASCII text in the matcher: Casbin's loader rewrites it byte by byte (\"é\" is read as \"Ã©\"), so it never equals a request's value", e.key)
	}
	for _, msg := range LiteralProblems(v) {
		ps.Add(e.line, "%s: %s", e.key, msg)
	}
	toks, err := matchexpr.Tokenize(v)
	if err != nil {
		var me *matchexpr.Error
		errors.As(err, &me)
		hint := ""
		switch {
		case strings.ContainsRune(raw, '`'):
			hint = " (a backquote is no quote in Casbin's matchers: write ' or \")"
		case strings.ContainsRune(raw, '\'') && strings.ContainsRune(raw, '"'):
			hint = " (a string literal ends at the first ' or \" in it, whichever quote opened it)"
		}
		ps.Add(line(me.Pos), "%s: Casbin cannot read the matcher: %s%s", e.key, me.Msg, hint)
		return
	}
	if _, err := matchexpr.ParseTokens(v, toks, nil); err != nil {
		var me *matchexpr.Error
		errors.As(err, &me)
		if matchexpr.IsMisread(err) {
			ignored := raw[source(me.Pos):]
			if len(ignored) > 40 {
				ignored = ignored[:40] + "…"
			}
			ps.Add(line(me.Pos), "%s: Casbin ignores %q: nothing joins it to what comes before it (join it with && or ||)", e.key, ignored)
		} else {
			ps.Add(line(me.Pos), "%s: Casbin cannot read the matcher: %s", e.key, me.Msg)
		}
	}
	for i, t := range toks {
		if t.Kind != matchexpr.Name && t.Kind != matchexpr.Accessor {
			continue
		}
		called := i+1 < len(toks) && toks[i+1].Kind == matchexpr.LParen
		if msg := checkName(t, called, d, opts, written(toks[i:i+1])); msg != "" {
			ps.Add(line(t.Pos), "%s: %s", e.key, msg)
			continue
		}
		if !called || t.Kind != matchexpr.Name {
			continue
		}
		args := splitArgs(toks, i+1)
		if g, ok := d["g"][t.Text]; ok {
			if want := roleArity(g); len(args) != want {
				ps.Add(line(t.Pos), "%s: %s takes %d arguments (%s = %s), called with %d", e.key, t.Text, want, t.Text, g.value, len(args))
			}
		}
		if t.Text == "eval" && !opts.requestEval {
			for _, a := range args {
				if refsRequest(a) {
					ps.Add(line(t.Pos), "%s: eval(%s) evaluates request data: whoever sends the request decides what it may do (the enforcer refuses it unless WithRequestEvalUnsafe is given)", e.key, written(a))
				}
			}
		}
		if t.Text == "eval" {
			for _, a := range args {
				if uncheckedEvalArg(a) {
					ps.Add(line(t.Pos), "%s: eval(%s): the rule values it reads are checked only when eval()'s argument is a policy field or a concatenation of fields and literals (the enforcer refuses it)", e.key, written(a))
				}
			}
		}
	}
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

// checkName checks a name the matcher reads, as govaluate has it (r_sub,
// p_obj.Owner); written is the name as the model spells it, for messages.
func checkName(t matchexpr.Token, call bool, d defs, opts modelOptions, written string) string {
	segs := strings.Split(t.Text, ".")
	head := segs[0]
	if len(segs) == 1 {
		if call {
			if builtinFuncs[head] || opts.functions[head] {
				return ""
			}
			if _, ok := d["g"][head]; ok {
				return ""
			}
			if gFuncRE.MatchString(head) {
				return fmt.Sprintf("function %s is not defined: add %s = _, _ under [role_definition]", head, head)
			}
			// A function registered in code (Casbin's AddFunction) is
			// invisible here: say how the enforcer learns it, not that
			// the model is fine.
			return fmt.Sprintf("unknown function %s: not a Casbin built-in or a role definition; a function of your own must be registered in code with enforcer.WithFunction(%q, fn), which the linter cannot see", head, head)
		}
		if m := escapedRE.FindStringSubmatch(head); m != nil {
			return checkField(m[1], m[2], d)
		}
		return fmt.Sprintf("unknown name %s", written)
	}
	if m := escapedRE.FindStringSubmatch(head); m != nil {
		if msg := checkField(m[1], m[2], d); msg != "" || m[1][0] != 'p' {
			return msg
		}
		// A policy value is always a string: reading an attribute of it
		// fails every decision that reaches the matcher.
		return fmt.Sprintf("%s: policy values are strings, so %s.%s has no attribute %s", written, m[1], m[2], segs[1])
	}
	if rpRE.MatchString(head) {
		// Casbin writes r. as r_ only after a space, a parenthesis, a
		// comma or an operator; elsewhere govaluate looks for a
		// parameter named r, which no request has.
		return fmt.Sprintf("%s is not read as a field: Casbin rewrites %s. to %s_ only after a space, a parenthesis, a comma or an operator", written, head, head)
	}
	return fmt.Sprintf("unknown name %s", written)
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
