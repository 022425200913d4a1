package modelcheck

import (
	"fmt"
	"net"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"
	"github.com/casbin/govaluate"

	"github.com/wardenhq/warden/internal/matchexpr"
)

// A rule value is read at decision time by the matcher function it is
// passed to: keyMatch2 turns it into a regular expression, ipMatch into a
// network, eval() into an expression. A value that function cannot read
// fails (or panics in) every decision that reaches its rule, so it is
// refused when the rule is written instead. What is checked is derived from
// the model's matcher, the text both Warden's fast path and Casbin's own
// enforcer evaluate: which policy field is passed to which function in
// which argument position.

// Limits bound the work one rule value or request value can cause at
// decision time. A zero field takes its default.
type Limits struct {
	// RuleValue bounds the bytes of any rule value. Default 1024.
	RuleValue int
	// Pattern bounds the bytes of a value read as a pattern (keyMatch2..5,
	// keyGet2/3, regexMatch, =~, globMatch). Default 256.
	Pattern int
	// PatternProgram bounds the instructions of the regular expression a
	// pattern compiles to: Go's regexp runs in time proportional to that
	// size times the input's length, and a short pattern such as a{1000}
	// compiles to a large program. Default 128.
	PatternProgram int
	// RequestValue bounds the bytes of a string request value. Default 4096.
	RequestValue int
}

// DefaultLimits are the limits a zero Limits stands for.
var DefaultLimits = Limits{RuleValue: 1024, Pattern: 256, PatternProgram: 128, RequestValue: 4096}

// maxGlobAlternatives bounds the product of the {a,b} alternative counts of
// a glob: doublestar matches each alternative from the start again, so the
// work multiplies with every group.
const maxGlobAlternatives = 64

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits
	if l.RuleValue > 0 {
		d.RuleValue = l.RuleValue
	}
	if l.Pattern > 0 {
		d.Pattern = l.Pattern
	}
	if l.PatternProgram > 0 {
		d.PatternProgram = l.PatternProgram
	}
	if l.RequestValue > 0 {
		d.RequestValue = l.RequestValue
	}
	return d
}

// A Use is one place a matcher passes a field to a function: the field's
// token as Casbin escapes it ("p_obj", "r_obj"), the function ("keyMatch2",
// "regexMatch", "=~" for govaluate's regex operator, "eval") and the
// argument position (0-based).
type Use struct {
	Token string
	Func  string
	Arg   int
	// Literal is set, and Token empty, for a string literal argument:
	// keyMatch2(r.obj, "/posts/:id").
	Literal string
	// Concat is set for an argument that joins fields and string literals
	// with + (keyMatch2(r.obj, p.obj + "/*")): each part is a field token
	// or a quoted literal. Token is then the first field token; the use is
	// listed under each field it joins.
	Concat []string
}

// ValueError is a rule or request value that the function reading it
// cannot use, or that is over a limit. Index is its position in the rule
// (or request); Field is its name in the model ("obj"; "member", "role",
// "domain" for role links).
type ValueError struct {
	Index  int
	Field  string
	Reason string
}

// Error implements error: "field obj: reason".
func (e *ValueError) Error() string { return "field " + e.Field + ": " + e.Reason }

// ValueChecker checks rule values against a model's matcher. It is built
// once per model and is safe for concurrent use.
type ValueChecker struct {
	lim    Limits
	uses   map[string][]Use // token → its uses as a function argument
	names  map[string][]string
	funcs  map[string]govaluate.ExpressionFunction // for eval() values
	arity  map[string]int                          // argument counts of the functions eval() values may call
	params map[string]bool                         // the r_ and p_ tokens an eval() value may name
	prio   map[string]int                          // p ptype → its priority field (priority.go)
	// deferEval accepts eval() values govaluate cannot compile
	// (CheckerOptions.DeferEvalErrors).
	deferEval bool
}

// CheckerOptions are what a checker knows beyond the model.
type CheckerOptions struct {
	// Functions are the matcher functions registered in code (Casbin's
	// AddFunction, Warden's WithFunction): an eval() value may call them,
	// as Casbin's eval() compiles its text with them.
	Functions map[string]govaluate.ExpressionFunction
	// DeferEvalErrors accepts an eval() value that govaluate cannot
	// compile at all, as Casbin stores it: nothing can evaluate such a
	// text, so it cannot grant; every decision that reaches its rule fails
	// instead (see EvalUncompilable). Every other check still refuses.
	DeferEvalErrors bool
}

// NewValueChecker analyses the matchers of m.
func NewValueChecker(m model.Model, lim Limits) *ValueChecker {
	return NewValueCheckerWith(m, lim, CheckerOptions{})
}

// NewValueCheckerWith is NewValueChecker with what o adds.
func NewValueCheckerWith(m model.Model, lim Limits, o CheckerOptions) *ValueChecker {
	c := &ValueChecker{lim: lim.WithDefaults(), uses: map[string][]Use{}, names: map[string][]string{}, deferEval: o.DeferEvalErrors}
	for _, u := range MatcherUses(m) {
		if u.Concat != nil {
			seen := map[string]bool{}
			for _, part := range u.Concat {
				if fieldTokenRE.MatchString(part) && !seen[part] {
					seen[part] = true
					c.uses[part] = append(c.uses[part], u)
				}
			}
			continue
		}
		if u.Token != "" {
			c.uses[u.Token] = append(c.uses[u.Token], u)
		}
	}
	for _, sec := range []string{"r", "p", "g"} {
		for key, a := range m[sec] {
			c.names[key] = fieldNames(key, a)
		}
	}
	c.funcs = evalFunctions(m, o.Functions)
	c.arity = map[string]int{"keyMatch": 2, "keyGet": 2, "keyMatch2": 2, "keyGet2": 3, "keyMatch3": 2, "keyGet3": 3,
		"keyMatch4": 2, "keyMatch5": 2, "regexMatch": 2, "ipMatch": 2, "globMatch": 2}
	for name, a := range m["g"] {
		c.arity[name] = len(a.Tokens)
	}
	c.prio = priorityFields(m)
	c.params = map[string]bool{}
	for _, sec := range []string{"r", "p"} {
		for _, a := range m[sec] {
			for _, t := range a.Tokens {
				c.params[t] = true
			}
		}
	}
	return c
}

// evalFunctions is the function map an eval() text of a rule of m is
// compiled with, as Casbin's eval() compiles it: Casbin's built-ins, the
// role definitions, the registered functions and eval() itself (nested, it
// evaluates its argument at decision time, which evalProblem names).
// Only the names matter: the checks compile, they never evaluate.
func evalFunctions(m model.Model, registered map[string]govaluate.ExpressionFunction) map[string]govaluate.ExpressionFunction {
	fm := model.LoadFunctionMap()
	funcs := fm.GetFunctions()
	never := func(...any) (any, error) { return false, nil }
	for name := range registered {
		funcs[name] = never
	}
	for name := range m["g"] {
		funcs[name] = never
	}
	funcs["eval"] = never
	return funcs
}

// EvalUncompilable returns, for model m with the registered functions,
// a test that reports an error for the eval() texts govaluate cannot
// compile: those CheckerOptions.DeferEvalErrors lets in. An engine that
// compiles a stored or request-scoped text its own way (with a rewritten
// scope argument) asks it first, so that a text the checker never read is
// never evaluated.
func EvalUncompilable(m model.Model, registered map[string]govaluate.ExpressionFunction) func(text string) error {
	funcs := evalFunctions(m, registered)
	return func(text string) error {
		escaped := util.EscapeAssertion(text)
		if err := govaluateCompile(escaped, funcs); err != nil {
			return fmt.Errorf("error while parsing eval parameter: %s, %s", escaped, err.Error())
		}
		return nil
	}
}

// Limits returns the checker's limits, defaults filled in.
func (c *ValueChecker) Limits() Limits { return c.lim }

func fieldNames(key string, a *model.Assertion) []string {
	if strings.HasPrefix(key, "g") {
		// The names, then a conditional definition's parameters
		// (g = _, _, (_, _)): a rule's third value is its domain only
		// when the definition has three names.
		out := make([]string, len(a.Tokens)+len(a.ParamsTokens))
		for i := range out {
			switch {
			case i >= len(a.Tokens):
				out[i] = "param" + strconv.Itoa(i-len(a.Tokens)+1)
			case i == 0:
				out[i] = "member"
			case i == 1:
				out[i] = "role"
			case i == 2:
				out[i] = "domain"
			default:
				out[i] = "field" + strconv.Itoa(i)
			}
		}
		return out
	}
	out := make([]string, len(a.Tokens))
	for i, t := range a.Tokens {
		out[i] = strings.TrimPrefix(t, key+"_")
	}
	return out
}

// FieldNames returns the names the checker's errors give the fields of
// key's rules (ValueError.Field), or nil when the model does not define
// key as a policy, request or role definition: a policy or request
// definition's field names; for a role definition member, role, domain
// (when it has three names), then param1, param2... for the parameters
// of a conditional one.
func (c *ValueChecker) FieldNames(key string) []string {
	n, ok := c.names[key]
	if !ok {
		return nil
	}
	return append([]string(nil), n...)
}

func (c *ValueChecker) fieldName(key string, i int) string {
	if n := c.names[key]; i < len(n) {
		return n[i]
	}
	return "field" + strconv.Itoa(i)
}

// Check checks the values of a rule of ptype. It returns nil or a
// *ValueError for the first value that is refused.
func (c *ValueChecker) Check(ptype string, values []string) error {
	return c.CheckWith(nil, ptype, values)
}

// EvalMemo remembers, for the rules of one load, what the checks read of
// each distinct eval() text: a policy of 100,000 rules with twenty
// subject rules reads twenty texts, not 100,000. It lives as long as the
// load that makes it; one is never shared with another load, or with
// the checks of request-scoped data.
type EvalMemo struct {
	m map[string]evalRead
}

// maxEvalMemo bounds an EvalMemo: past it, texts are read every time.
const maxEvalMemo = 1 << 12

type evalRead struct {
	reason string
	toks   []matchexpr.Token
}

// NewEvalMemo returns an empty EvalMemo.
func NewEvalMemo() *EvalMemo { return &EvalMemo{m: map[string]evalRead{}} }

// CheckWith is Check reading eval() texts through memo, which may be nil.
func (c *ValueChecker) CheckWith(memo *EvalMemo, ptype string, values []string) error {
	for i, v := range values {
		if reason := textProblem(v); reason != "" {
			return &ValueError{Index: i, Field: c.fieldName(ptype, i), Reason: reason}
		}
		if strings.TrimSpace(v) != v {
			// Casbin keeps the space before a comma of a policy line
			// ("p, alice , /x" is subject "alice "), while a database
			// column or an eye trims it: the rule would not be the one it
			// reads as.
			return &ValueError{Index: i, Field: c.fieldName(ptype, i),
				Reason: fmt.Sprintf("%q has leading or trailing space, which Casbin keeps as part of the value (%q is not %q)", v, v, strings.TrimSpace(v))}
		}
		if len(v) > c.lim.RuleValue {
			return &ValueError{Index: i, Field: c.fieldName(ptype, i),
				Reason: fmt.Sprintf("%d bytes, over the limit of %d for a rule value", len(v), c.lim.RuleValue)}
		}
		if i >= len(c.names[ptype]) || strings.HasPrefix(ptype, "g") {
			continue
		}
		if j, ok := c.prio[ptype]; ok && j == i {
			if reason := priorityProblem(v); reason != "" {
				return &ValueError{Index: i, Field: c.fieldName(ptype, i), Reason: reason}
			}
		}
		for _, u := range c.uses[ptype+"_"+c.names[ptype][i]] {
			j, reason := i, ""
			switch {
			case u.Concat != nil && u.Func == "eval" && u.Arg == 0:
				// eval(p.sub_rule + ''): the text Casbin evaluates is
				// the join, and gets every check a field's text gets.
				j, reason = c.evalText(memo, ptype, values, i, c.join(u.Concat, ptype, values))
			case u.Concat != nil:
				reason = c.useProblem(Use{Func: u.Func, Arg: u.Arg}, c.join(u.Concat, ptype, values))
			case u.Func == "eval" && u.Arg == 0:
				j, reason = c.evalText(memo, ptype, values, i, values[i])
			default:
				reason = c.useProblem(u, v)
			}
			if reason != "" {
				return &ValueError{Index: j, Field: c.fieldName(ptype, j), Reason: reason}
			}
		}
	}
	return nil
}

// join builds the string an argument such as p.obj + "/*" evaluates to
// for a rule of ptype with values; fields it does not know (request
// fields) count as empty, so what is checked is the policy's part.
func (c *ValueChecker) join(parts []string, key string, values []string) string {
	var b strings.Builder
	for _, part := range parts {
		if !fieldTokenRE.MatchString(part) {
			b.WriteString(part[1 : len(part)-1])
			continue
		}
		if name, ok := strings.CutPrefix(part, key+"_"); ok {
			if j := slices.Index(c.names[key], name); j >= 0 && j < len(values) {
				b.WriteString(values[j])
			}
		}
	}
	return b.String()
}

// evalText checks the text v that eval() reads from field i of a rule of
// ptype (the field's value, or a concatenation of it with literals and
// other fields): the expression Casbin parses at every decision. Besides its
// syntax and its literal patterns, the functions it calls must exist and
// get their number of arguments, the names it reads must be fields, it
// must not call eval() itself (the nested argument is evaluated as an
// expression at decision time: eval(r_obj) lets the request decide), and
// the other fields of the rule it passes to a function as a pattern are
// checked as that function reads them. It returns the index of the value
// at fault and the reason, or "". The text itself is read through memo
// (readEval).
func (c *ValueChecker) evalText(memo *EvalMemo, ptype string, values []string, i int, v string) (int, string) {
	reason, toks := c.readEval(memo, v)
	if reason != "" {
		if c.deferEval && govaluateCompile(util.EscapeAssertion(v), c.funcs) != nil {
			// Deferred: no engine can compile this text, so it is never
			// evaluated, and the checks below read what it would do.
			return i, ""
		}
		return i, reason
	}
	for k, t := range toks {
		// What govaluate reads as a parameter: a name it does not call,
		// or the head of an attribute path.
		var name string
		switch {
		case t.Kind == matchexpr.Accessor:
			name, _, _ = strings.Cut(t.Text, ".")
		case t.Kind == matchexpr.Name && (t.Bracketed || k+1 == len(toks) || toks[k+1].Kind != matchexpr.LParen):
			name = t.Text
		default:
			continue
		}
		if !c.params[name] {
			return i, fmt.Sprintf("%q: eval() reads %s, which is not a field of the model", v, name)
		}
	}
	for _, cl := range calls(toks) {
		name := cl.name.Text
		if name == "eval" {
			return i, fmt.Sprintf("%q calls eval() itself: what it evaluates is read at decision time, and may be request data", v)
		}
		if want, ok := c.arity[name]; ok && len(cl.args) != want {
			return i, fmt.Sprintf("%q calls %s with %d arguments, which takes %d", v, name, len(cl.args), want)
		}
	}
	for _, lu := range tokenUses(toks) {
		toks := []string{lu.Token}
		if lu.Concat != nil {
			toks = lu.Concat
		}
		if arg, ok := patternArg[lu.Func]; ok && arg == lu.Arg {
			for _, t := range toks {
				if requestTokenRE.MatchString(t) {
					// The matcher's own request patterns are checked per
					// request (CheckRequest); one inside a rule value is
					// not, and a 121-byte pattern costs seconds.
					return i, fmt.Sprintf("%q passes the request field %s to %s as its pattern: the caller would write the pattern and its cost", v, t, lu.Func)
				}
			}
		}
		j := -1
		for _, t := range toks {
			if field, ok := strings.CutPrefix(t, ptype+"_"); ok {
				if k := slices.Index(c.names[ptype], field); k >= 0 && k < len(values) && k != i {
					j = k
					break
				}
			}
		}
		if j < 0 {
			continue
		}
		reason := ""
		if lu.Concat != nil {
			reason = c.useProblem(Use{Func: lu.Func, Arg: lu.Arg}, c.join(lu.Concat, ptype, values))
		} else {
			reason = c.useProblem(lu, values[j])
		}
		if reason != "" {
			return j, "read by eval() in field " + c.fieldName(ptype, i) + ": " + reason
		}
	}
	// Request data in any other form (r_obj.pat, r_obj.pat + "$") as a
	// pattern: the field alone is refused above, naming it.
	for _, cl := range calls(toks) {
		name := cl.name.Text
		if arg, ok := patternArg[name]; ok && arg < len(cl.args) && refsRequest(cl.args[arg]) {
			return i, fmt.Sprintf("%q passes request data to %s as its pattern: the caller would write the pattern and its cost", v, name)
		}
	}
	for k, t := range toks {
		if t.Kind == matchexpr.Comparator && (t.Text == "=~" || t.Text == "!~") && refsRequest(rightOperand(toks[k+1:])) {
			return i, fmt.Sprintf("%q passes request data to %s as its pattern: the caller would write the pattern and its cost", v, t.Text)
		}
	}
	return i, ""
}

// readEval is what the checks read of an eval() text alone: the reason
// useProblem refuses it, or its tokens. The tokens are only read.
func (c *ValueChecker) readEval(memo *EvalMemo, v string) (string, []matchexpr.Token) {
	if memo != nil {
		if r, ok := memo.m[v]; ok {
			return r.reason, r.toks
		}
	}
	reason := c.useProblem(Use{Func: "eval"}, v)
	var toks []matchexpr.Token
	if reason == "" {
		toks, _ = compileEval(util.EscapeAssertion(v), c.funcs) // useProblem found it readable
	}
	if memo != nil && len(memo.m) < maxEvalMemo {
		memo.m[v] = evalRead{reason: reason, toks: toks}
	}
	return reason, toks
}

// RequestUses reports whether a request field is passed to a function
// that reads it as a pattern (or as eval()'s expression, or as ipMatch's
// CIDR), so CheckRequest must check it. A field read only by functions
// useProblem has nothing to say about (a function registered in code,
// keyMatch's key) is not: the caller skips CheckRequest for it at every
// decision, and bounds its size on its own.
func (c *ValueChecker) RequestUses(rtype string, i int) bool {
	if i >= len(c.names[rtype]) {
		return false
	}
	for _, u := range c.uses[rtype+"_"+c.names[rtype][i]] {
		if requestChecked(u) {
			return true
		}
	}
	return false
}

// requestChecked reports whether CheckRequest can refuse a request value
// for use u: whether useProblem checks it, less ipMatch's first argument,
// which CheckRequest leaves to the decision.
func requestChecked(u Use) bool {
	switch u.Func {
	case "ipMatch":
		return u.Arg != 0
	case "eval":
		return true
	}
	arg, ok := patternArg[u.Func]
	return ok && arg == u.Arg
}

// CheckRequest checks the string value of request field i of rtype ("r"):
// its size, and that it is what the functions reading it need (a
// pattern's cost, an IP address for ipMatch). It returns nil or a
// *ValueError.
func (c *ValueChecker) CheckRequest(rtype string, i int, v string) error {
	if len(v) > c.lim.RequestValue {
		return &ValueError{Index: i, Field: c.fieldName(rtype, i),
			Reason: fmt.Sprintf("%d bytes, over the limit of %d for a request value", len(v), c.lim.RequestValue)}
	}
	if i >= len(c.names[rtype]) {
		return nil
	}
	for _, u := range c.uses[rtype+"_"+c.names[rtype][i]] {
		if u.Arg == 0 && u.Func == "ipMatch" {
			continue // a key that is not an IP fails this decision only
		}
		if u.Concat != nil {
			vals := make([]string, len(c.names[rtype]))
			vals[i] = v
			u = Use{Func: u.Func, Arg: u.Arg, Literal: c.join(u.Concat, rtype, vals)}
			v = u.Literal
		}
		if reason := c.useProblem(u, v); reason != "" {
			return &ValueError{Index: i, Field: c.fieldName(rtype, i), Reason: reason}
		}
	}
	return nil
}

// textProblem refuses text that reads differently from what it is:
// invalid UTF-8, control characters, and invisible format characters
// (Unicode category Cf: bidi overrides and isolates, zero-width spaces and
// joiners, the byte order mark), the other default-ignorable code points
// (Hangul fillers, the combining grapheme joiner), variation selectors,
// noncharacters, line and paragraph separators, and blanks other than the
// ASCII space (Zs, U+2800). Look-alike letters (Cyrillic а for Latin a)
// and combining marks are visible and are not refused here.
func textProblem(v string) string {
	if !utf8.ValidString(v) {
		return "not valid UTF-8"
	}
	for _, r := range v {
		switch {
		case unicode.IsControl(r):
			return fmt.Sprintf("contains the control character %U", r)
		case unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point,
			unicode.Variation_Selector, unicode.Noncharacter_Code_Point):
			return fmt.Sprintf("contains the invisible character %U, which makes the rule read differently from what it does", r)
		case r != ' ' && unicode.Is(unicode.Zs, r) || r == '\u2800':
			// A no-break, thin, hair or ideographic space reads as the
			// ASCII space (or as nothing) but is another value; the
			// braille pattern blank renders as a space too.
			return fmt.Sprintf("contains the blank character %U, which reads as a space but is another value", r)
		}
	}
	return ""
}

// regexpFuncs convert a pattern argument to the regular expression the
// function compiles, exactly as Casbin v2.135's util package does.
var regexpFuncs = map[string]func(string) string{
	"regexMatch": func(p string) string { return p },
	"=~":         func(p string) string { return p },
	"!~":         func(p string) string { return p },
	"keyMatch2":  func(p string) string { return anchored(keyMatch2Re, p, "$1[^/]+$2") },
	"keyMatch3":  func(p string) string { return anchored(keyMatch3Re, p, "$1[^/]+$2") },
	"keyMatch5":  func(p string) string { return anchored(keyMatch3Re, p, "$1[^/]+$2") },
	"keyMatch4":  func(p string) string { return anchored(keyMatch4Re, p, "([^/]+)") },
	"keyGet2":    func(p string) string { return anchored(keyMatch2Re, p, "$1([^/]+)$2") },
	"keyGet3":    func(p string) string { return anchored(keyGet3Re, p, "$1([^/]+?)$2") },
}

var (
	keyMatch2Re = regexp.MustCompile(`:[^/]+`)
	keyMatch3Re = regexp.MustCompile(`\{[^/]+\}`)
	keyMatch4Re = regexp.MustCompile(`{([^/]+)}`)
	keyGet3Re   = regexp.MustCompile(`\{[^/]+?\}`)
)

func anchored(re *regexp.Regexp, p, repl string) string {
	p = strings.ReplaceAll(p, "/*", "/.*")
	return "^" + re.ReplaceAllString(p, repl) + "$"
}

// patternArg is the argument position each function reads as a pattern.
var patternArg = map[string]int{
	"regexMatch": 1, "=~": 1, "!~": 1, "keyMatch2": 1, "keyMatch3": 1, "keyMatch4": 1, "keyMatch5": 1,
	"keyGet2": 1, "keyGet3": 1, "globMatch": 1,
}

// useProblem says why v cannot be argument u.Arg of u.Func, or "".
func (c *ValueChecker) useProblem(u Use, v string) string {
	switch u.Func {
	case "ipMatch":
		if net.ParseIP(v) != nil {
			return ""
		}
		if u.Arg == 0 {
			return fmt.Sprintf("%q is not an IP address, which ipMatch needs as its first argument", v)
		}
		if _, _, err := net.ParseCIDR(v); err != nil {
			return fmt.Sprintf("%q is neither an IP address nor a CIDR for ipMatch", v)
		}
		return ""
	case "eval":
		toks, err := compileEval(util.EscapeAssertion(v), c.funcs)
		if err != nil {
			return fmt.Sprintf("%q is not an expression eval() can read: %v", v, err)
		}
		// The expression's own literal patterns are read at every decision.
		for _, lu := range tokenUses(toks) {
			if lu.Token == "" && lu.Func != "eval" {
				if reason := c.useProblem(lu, lu.Literal); reason != "" {
					return "in eval(): " + reason
				}
			}
		}
		return ""
	}
	if arg, ok := patternArg[u.Func]; !ok || arg != u.Arg {
		return ""
	}
	if len(v) > c.lim.Pattern {
		return fmt.Sprintf("%d bytes, over the limit of %d for a %s pattern", len(v), c.lim.Pattern, u.Func)
	}
	if u.Func == "globMatch" {
		return globProblem(v)
	}
	expr := regexpFuncs[u.Func](v)
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return fmt.Sprintf("%q is not a valid %s pattern: %v", v, u.Func, err)
	}
	if u.Func == "keyMatch4" {
		// KeyMatch4 panics when the pattern's own groups shift the
		// {name} captures.
		if want := len(keyMatch4Re.FindAllString(strings.ReplaceAll(v, "/*", "/.*"), -1)); re.MaxCap() != want {
			return fmt.Sprintf("%q has capture groups of its own, which keyMatch4 cannot match", v)
		}
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return fmt.Sprintf("%q is not a valid %s pattern: %v", v, u.Func, err)
	}
	if n := len(prog.Inst); n > c.lim.PatternProgram {
		return fmt.Sprintf("%q compiles to %d regexp instructions, over the limit of %d", v, n, c.lim.PatternProgram)
	}
	return ""
}

// globProblem checks a globMatch pattern: doublestar must accept it, and
// its {a,b} alternatives must not multiply the work without bound.
func globProblem(v string) string {
	if !doublestar.ValidatePattern(v) {
		return fmt.Sprintf("%q is not a valid globMatch pattern", v)
	}
	product, stack := 1, []int{}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '{':
			stack = append(stack, 1)
		case ',':
			if len(stack) > 0 {
				stack[len(stack)-1]++
			}
		case '}':
			if len(stack) > 0 {
				product *= stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
		}
		if product > maxGlobAlternatives {
			return fmt.Sprintf("%q has more than %d combinations of {…} alternatives", v, maxGlobAlternatives)
		}
	}
	return ""
}

// MatcherUses lists where the matchers of m pass a request or policy field
// directly as a function argument (or as the right operand of =~ and !~).
// A field inside a larger expression (p.obj + "/*") is not listed: its
// value alone is not what the function reads.
func MatcherUses(m model.Model) []Use {
	var out []Use
	for _, key := range sortedAssertions(m["m"]) {
		out = append(out, exprUses(m["m"][key].Value)...)
	}
	return out
}

func sortedAssertions(am model.AssertionMap) []string {
	keys := make([]string, 0, len(am))
	for k := range am {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// exprUses scans one escaped matcher; one govaluate cannot read has no
// uses (it fails at every decision, and is reported as such).
func exprUses(v string) []Use {
	toks, err := matchexpr.Tokenize(v)
	if err != nil {
		return nil
	}
	return tokenUses(toks)
}

// tokenUses lists the uses in an expression's tokens: the arguments of
// every call that are a field, a literal, or fields and literals joined by
// +, and the field right of =~ and !~.
func tokenUses(toks []matchexpr.Token) []Use {
	var out []Use
	for i, t := range toks {
		if t.Kind == matchexpr.Comparator && (t.Text == "=~" || t.Text == "!~") && i+1 < len(toks) && isField(toks[i+1]) {
			out = append(out, Use{Token: toks[i+1].Text, Func: t.Text, Arg: 1})
		}
	}
	for _, cl := range calls(toks) {
		for n, arg := range cl.args {
			arg = unwrap(arg)
			switch {
			case len(arg) == 1 && isField(arg[0]):
				out = append(out, Use{Token: arg[0].Text, Func: cl.name.Text, Arg: n})
			case len(arg) == 1 && plainLiteral(arg[0]):
				out = append(out, Use{Func: cl.name.Text, Arg: n, Literal: arg[0].Text})
			default:
				if parts := concatParts(arg); parts != nil {
					out = append(out, Use{Token: firstField(parts), Func: cl.name.Text, Arg: n, Concat: parts})
				}
			}
		}
	}
	return out
}

// concatParts reads an argument such as p_obj + "/*": fields and string
// literals (without escapes) joined by +, at least one of them a field. A
// part is the field's token or the literal in double quotes; nil when the
// argument is anything else.
func concatParts(arg []matchexpr.Token) []string {
	if len(arg) < 3 || len(arg)%2 == 0 {
		return nil
	}
	var parts []string
	field := false
	for i, t := range arg {
		if i%2 == 1 {
			if t.Kind != matchexpr.Modifier || t.Text != "+" {
				return nil
			}
			continue
		}
		switch {
		case isField(t):
			field = true
			parts = append(parts, t.Text)
		case plainLiteral(t):
			parts = append(parts, `"`+t.Text+`"`)
		default:
			return nil
		}
	}
	if !field {
		return nil
	}
	return parts
}

func firstField(parts []string) string {
	for _, p := range parts {
		if fieldTokenRE.MatchString(p) {
			return p
		}
	}
	return ""
}

// LiteralProblems checks the string literals a matcher passes as patterns
// (keyMatch2(r.obj, "/posts(")), with the default limits: such a matcher
// fails every decision that reaches the call.
func LiteralProblems(matcher string) []string {
	c := &ValueChecker{lim: DefaultLimits}
	var out []string
	for _, u := range exprUses(matcher) {
		if u.Token != "" || u.Func == "eval" {
			continue
		}
		if reason := c.useProblem(u, u.Literal); reason != "" {
			out = append(out, reason)
		}
	}
	return out
}

// RequestEval returns the arguments of eval() calls in m's matchers that
// read request data (any r. field, directly or through an attribute): with
// such a matcher the request, not the policy, says what is allowed. It
// reads the calls by token, so that it finds them in a matcher govaluate
// misreads too.
func RequestEval(m model.Model) []string {
	var out []string
	for _, key := range sortedAssertions(m["m"]) {
		out = append(out, requestEvalArgs(m["m"][key].Value)...)
	}
	return out
}

// UncheckedEval returns, as written, the arguments of eval() calls in m's
// matchers that read a policy field in a form the value checks do not
// follow: anything but the field itself (p_sub_rule, (p_sub_rule)) or a
// concatenation of fields and literals (p_sub_rule + ""), such as a
// ternary, ?? or a bracketed name. The rule text such an argument gives
// eval() would reach it unread by any check (a nested eval() of request
// data, a request pattern). Arguments that read request data are
// RequestEval's.
func UncheckedEval(m model.Model) []string {
	var out []string
	for _, key := range sortedAssertions(m["m"]) {
		v := m["m"][key].Value
		toks, err := matchexpr.Tokenize(v)
		if err != nil {
			continue
		}
		for _, cl := range calls(toks) {
			if cl.name.Text != "eval" {
				continue
			}
			for _, a := range cl.args {
				if uncheckedEvalArg(a) {
					out = append(out, span(v, a))
				}
			}
		}
	}
	return out
}

// uncheckedEvalArg reports whether eval() argument a reads a policy field
// in a form Check does not follow (UncheckedEval); arguments that read
// request data are RequestEval's.
func uncheckedEvalArg(a []matchexpr.Token) bool {
	if refsRequest(a) || !refsPolicy(a) {
		return false
	}
	// The forms tokenUses gives a Use, which Check follows.
	u := unwrap(a)
	return !(len(u) == 1 && isField(u[0]) || concatParts(u) != nil)
}

// refsPolicy reports whether a run of tokens reads a policy field, in any
// form (p_obj, [p_obj], p_obj.Attr).
func refsPolicy(toks []matchexpr.Token) bool {
	for _, t := range toks {
		if (t.Kind == matchexpr.Name || t.Kind == matchexpr.Accessor) && policyRefRE.MatchString(t.Text) {
			return true
		}
	}
	return false
}

var policyRefRE = regexp.MustCompile(`^p[0-9]*[._][A-Za-z_]`)

// requestEvalArgs returns, as written, the arguments of eval() calls in an
// escaped matcher that read request data.
func requestEvalArgs(v string) []string {
	toks, err := matchexpr.Tokenize(v)
	if err != nil {
		return nil
	}
	var out []string
	for _, cl := range calls(toks) {
		if cl.name.Text != "eval" {
			continue
		}
		for _, a := range cl.args {
			if refsRequest(a) {
				out = append(out, span(v, a))
			}
		}
	}
	return out
}

// rightOperand is the right operand of a comparator whose right side
// starts toks: up to the logical or ternary operator, comparator, comma or
// closing parenthesis that ends it at its own depth (govaluate's
// modifiers, + included, bind tighter than comparators).
func rightOperand(toks []matchexpr.Token) []matchexpr.Token {
	depth := 0
	for k, t := range toks {
		switch t.Kind {
		case matchexpr.LParen:
			depth++
		case matchexpr.RParen:
			if depth == 0 {
				return toks[:k]
			}
			depth--
		case matchexpr.Logical, matchexpr.Ternary, matchexpr.Comparator, matchexpr.Comma:
			if depth == 0 {
				return toks[:k]
			}
		}
	}
	return toks
}
