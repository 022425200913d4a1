package matchexpr

import (
	"strings"
	"testing"
)

// tableSources are the cases below, also the fuzzer's seeds; each is
// checked against govaluate as well.
var tableSources = []string{
	"g(r_sub, p_sub) && r_obj == p_obj", "`a`", "r_sub == `alice`", `'a"b'`, `"it's"`, `'a\'b'`, `r_obj == "a\\b"`,
	`a\+b`, "a \\=\\= b", "_a", "!!a", "! !a", "a == !b", "-a - -b", "a ? b : c", "a ?? b", "(a) b", "f(a) b", "((a) b)",
	"(a == )", "()", "f()", "f((a, b))", "x.m(a) && b", "!x.m(a) && b", "r_obj in ('a', 'b')", "r_obj IN ('a')",
	"'2024-01-01' == r_obj", "r_obj =~ '('", "r_obj =~ 'a+'", "0x1F + .5", "1.2.3", "[a b] == 'x'", "x. == y", "a ==",
	"'abc\\", "a\\", "a ** b ** c", "a - b - c", "a == b == c", "a || b && c", "g (r_sub, p_sub)", "f(,a)", "a,b", "",
}

func TestTokens(t *testing.T) {
	cases := []struct {
		src  string
		want string // kind:text tokens, or "error"
	}{
		{"g(r_sub, p_sub) && r_obj == p_obj", "name:g (:( name:r_sub ,:, name:p_sub ):) logical operator:&& name:r_obj comparator:== name:p_obj"},
		// A backquote is no quote in govaluate: an invalid token, wherever.
		{"r_sub == `alice`", "error"},
		{"`a`", "error"},
		// A string ends at the first quote of either kind.
		{`'a"b'`, "error"},
		{`"it's"`, "error"},
		{`'a\'b'`, "string:a'b"},
		{`r_obj == "a\\b"`, `name:r_obj comparator:== string:a\b`},
		// A backslash escapes the next character outside strings too.
		{`a\+b`, "name:a+b"},
		{`a \=\= b`, "name:a comparator:== name:b"},
		{"_a", "error"},
		{"!!a", "error"},
		{"a == !b", "name:a comparator:== prefix:! name:b"},
		{"-a - -b", "prefix:- name:a operator:- prefix:- name:b"},
		{"r_obj IN ('a')", "name:r_obj comparator:in (:( string:a ):)"},
		{"r_obj.Owner == x", "accessor:r_obj.Owner comparator:== name:x"},
		{"x. == y", "error"},
		{"[a b] == 'x'", "name:a b comparator:== string:x"},
		{"0x1F + .5", "number:0x1F operator:+ number:.5"},
		{"1.2.3", "error"},
		// govaluate panics on a backslash at the very end.
		{`'abc\`, "error"},
		{`a\`, "error"},
	}
	for _, c := range cases {
		toks, err := Tokenize(c.src)
		got := "error"
		if err == nil {
			var parts []string
			for _, tk := range toks {
				parts = append(parts, tk.Kind.String()+":"+tk.Text)
			}
			got = strings.Join(parts, " ")
		}
		if got != c.want {
			t.Errorf("Tokenize(%q) = %s; want %s", c.src, got, c.want)
		}
	}
	toks, _ := Tokenize(`x == '2024-01-01' && y == 'a\\b'`)
	if !toks[2].Time || toks[6].Time || !toks[6].Escaped || toks[2].Escaped {
		t.Errorf("Time/Escaped flags wrong: %+v", toks)
	}
	if toks[2].Pos != 5 || toks[2].End != 17 {
		t.Errorf("offsets of the literal: %d..%d", toks[2].Pos, toks[2].End)
	}
	// A token's span is its text as written, without the space that ended it.
	src := "r_sub  ==\tab\\ c  &&  0x1F )"
	toks, _ = Tokenize(src)
	var spans []string
	for _, tk := range toks {
		spans = append(spans, src[tk.Pos:tk.End])
	}
	if got := strings.Join(spans, "|"); got != `r_sub|==|ab\ c|&&|0x1F|)` {
		t.Errorf("spans %s", got)
	}
}

// TestTree checks the shapes that matter to Warden; TestAgreesWithGovaluate
// checks them all against govaluate's own plan.
func TestTree(t *testing.T) {
	cases := []struct{ src, want string }{
		{"a || b && c", "||(a, &&(b, c))"},
		{"a - b - c", "-(-(a, b), c)"},
		{"a == b == c", "==(==(a, b), c)"},
		{"!a == b", "==(!(a), b)"},
		{"!(a == b)", "!((==(a, b)))"},
		{"a ? b : c", ":(?(a, b), c)"},
		{"g (r_sub, p_sub) && x", "&&(g[r_sub, p_sub], x)"},
		{"f((a, b))", "f[(a, b)]"},
		{"f()", "f[]"},
		{"()", "(<empty>)"},
		{"(a == )", "(==(a, <empty>))"},
		// A method call takes the rest of the expression as its argument.
		{"x.m(a) && b", "x.m{&&((a), b)}"},
		{"!x.m(a) && b", "!(x.m{&&((a), b)})"},
		{"r_obj in ('a', 'b')", "in(r_obj, (a, b))"},
	}
	for _, c := range cases {
		n, err := Parse(c.src, nil)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		if got := show(n); got != c.want {
			t.Errorf("Parse(%q) = %s; want %s", c.src, got, c.want)
		}
	}
}

func show(n *Node) string {
	var kids []string
	for _, k := range n.Kids {
		kids = append(kids, show(k))
	}
	args := strings.Join(kids, ", ")
	switch n.Op {
	case OpName, OpString, OpNumber, OpBool:
		return n.Text
	case OpEmpty:
		return "<empty>"
	case OpParen:
		return "(" + args + ")"
	case OpList:
		return args
	case OpCall:
		return n.Text + "[" + args + "]"
	case OpMethod:
		return n.Text + "{" + args + "}"
	}
	return n.Text + "(" + args + ")"
}

// TestMisread: govaluate ignores what follows a complete term that no
// operator joins; Parse refuses it, naming what would be ignored.
func TestMisread(t *testing.T) {
	for _, src := range []string{"(a) b", "(a == b) (c == d)", "f(a) b", "((a) b)", "g(r_sub, p_sub) (r_obj == p_obj)"} {
		if _, err := govaluateParse(src); err != nil {
			t.Fatalf("%q: govaluate refuses it (%v); the case is meant to show what it accepts", src, err)
		}
		_, err := Parse(src, isTestFunc)
		if !IsMisread(err) {
			t.Errorf("Parse(%q) = %v; want a misread", src, err)
		}
	}
}

func TestFunctions(t *testing.T) {
	isF := func(s string) bool { return s == "f" }
	if _, err := Parse("h(a)", isF); err == nil || !strings.Contains(err.Error(), "undefined function h") {
		t.Errorf("undefined function: %v", err)
	}
	if _, err := Parse("f && a", isF); err == nil {
		t.Error("a function not called: accepted")
	}
	if _, err := Parse("h(a)", nil); err != nil {
		t.Errorf("any name is a function without isFunc: %v", err)
	}
}

func TestConjuncts(t *testing.T) {
	n, err := Parse("a && (b && c) && d || e", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(n.Conjuncts()); got != 1 {
		t.Fatalf("|| at the top: %d conjuncts", got)
	}
	n, _ = Parse("a && (b && c) && f(d)", nil)
	var got []string
	for _, c := range n.Conjuncts() {
		got = append(got, show(c))
	}
	if strings.Join(got, " ; ") != "a ; (&&(b, c)) ; f[d]" {
		t.Fatalf("conjuncts %v", got)
	}
}

func TestTableAgainstGovaluate(t *testing.T) {
	for _, src := range tableSources {
		checkAgainstGovaluate(t, src)
	}
}
