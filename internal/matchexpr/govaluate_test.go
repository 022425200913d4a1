package matchexpr

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/casbin/govaluate"
)

// The tokenizer and the parser are held to govaluate itself: on generated
// and fuzzed expressions, govaluate accepts exactly what Parse accepts
// (except what Parse refuses as misread), the tokens are govaluate's, and
// the tree is the tree of evaluation stages govaluate plans, read from its
// unexported fields.

// testFuncs is the function map both sides use: f and g are functions, the
// other names variables.
var testFuncs = map[string]govaluate.ExpressionFunction{
	"f": func(...any) (any, error) { return true, nil },
	"g": func(...any) (any, error) { return true, nil },
}

func isTestFunc(name string) bool { _, ok := testFuncs[name]; return ok }

// govaluateParse runs govaluate, turning its panics into errors.
func govaluateParse(src string) (e *govaluate.EvaluableExpression, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return govaluate.NewEvaluableExpressionWithFunctions(src, testFuncs)
}

// checkAgainstGovaluate fails t when Parse and govaluate disagree on src.
func checkAgainstGovaluate(t *testing.T, src string) {
	t.Helper()
	ge, gerr := govaluateParse(src)
	n, err := Parse(src, isTestFunc)
	switch {
	case gerr != nil && err == nil:
		t.Fatalf("%q: govaluate refuses (%v), Parse accepts", src, gerr)
	case gerr != nil:
		return
	case err != nil && IsMisread(err):
		return
	case err != nil:
		t.Fatalf("%q: govaluate accepts, Parse refuses: %v", src, err)
	}
	toks, _ := Tokenize(src)
	gt := ge.Tokens()
	if len(gt) != len(toks) {
		t.Fatalf("%q: %d tokens, govaluate %d: %v / %v", src, len(toks), len(gt), toks, gt)
	}
	for i, tok := range toks {
		if msg := sameToken(tok, gt[i]); msg != "" {
			t.Fatalf("%q: token %d %+v: %s (govaluate %v %v)", src, i, tok, msg, gt[i].Kind, gt[i].Value)
		}
	}
	stages := reflect.ValueOf(ge).Elem().FieldByName("evaluationStages")
	if msg := sameTree(stages, n); msg != "" {
		t.Fatalf("%q: tree differs from govaluate's: %s\nours: %s\ngovaluate: %s", src, msg, render(n), renderStage(stages))
	}
}

func sameToken(tok Token, g govaluate.ExpressionToken) string {
	want := map[Kind]govaluate.TokenKind{
		Number: govaluate.NUMERIC, Bool: govaluate.BOOLEAN, String: govaluate.STRING, Name: govaluate.VARIABLE,
		Accessor: govaluate.ACCESSOR, LParen: govaluate.CLAUSE, RParen: govaluate.CLAUSE_CLOSE, Comma: govaluate.SEPARATOR,
		Prefix: govaluate.PREFIX, Modifier: govaluate.MODIFIER, Comparator: govaluate.COMPARATOR, Logical: govaluate.LOGICALOP,
		Ternary: govaluate.TERNARY,
	}[tok.Kind]
	switch {
	case tok.Kind == String && tok.Time:
		want = govaluate.TIME
	case tok.Kind == String && g.Kind == govaluate.PATTERN:
		want = govaluate.PATTERN // a regex operand, compiled by optimizeTokens
	case tok.Kind == Name && isTestFunc(tok.Text) && !tok.Bracketed:
		want = govaluate.FUNCTION
	}
	if g.Kind != want {
		return fmt.Sprintf("kind %v, want %v", g.Kind, want)
	}
	switch g.Kind {
	case govaluate.NUMERIC:
		var v float64
		if h, ok := strings.CutPrefix(tok.Text, "0x"); ok {
			u, _ := strconv.ParseUint(h, 16, 64)
			v = float64(u)
		} else {
			v, _ = strconv.ParseFloat(tok.Text, 64)
		}
		if g.Value != v {
			return fmt.Sprintf("value %v", v)
		}
	case govaluate.BOOLEAN:
		if g.Value != (tok.Text == "true") {
			return "boolean value"
		}
	case govaluate.STRING, govaluate.VARIABLE, govaluate.PREFIX, govaluate.MODIFIER, govaluate.COMPARATOR,
		govaluate.LOGICALOP, govaluate.TERNARY, govaluate.SEPARATOR:
		if g.Value != tok.Text {
			return fmt.Sprintf("text %q", tok.Text)
		}
	case govaluate.ACCESSOR:
		if !reflect.DeepEqual(g.Value, strings.Split(tok.Text, ".")) {
			return fmt.Sprintf("path %q", tok.Text)
		}
	}
	return ""
}

// govaluate's OperatorSymbol values (OperatorSymbol.go).
const (
	gVALUE = iota
	gLITERAL
	gNOOP
	gEQ
	gNEQ
	gGT
	gLT
	gGTE
	gLTE
	gREQ
	gNREQ
	gIN
	gAND
	gOR
	gPLUS
	gMINUS
	gBITWISE_AND
	gBITWISE_OR
	gBITWISE_XOR
	gBITWISE_LSHIFT
	gBITWISE_RSHIFT
	gMULTIPLY
	gDIVIDE
	gMODULUS
	gEXPONENT
	gNEGATE
	gINVERT
	gBITWISE_NOT
	gTERNARY_TRUE
	gTERNARY_FALSE
	gCOALESCE
	gFUNCTIONAL
	gACCESS
	gSEPARATE
)

var binarySymbol = map[string]int64{
	"==": gEQ, "!=": gNEQ, ">": gGT, "<": gLT, ">=": gGTE, "<=": gLTE, "=~": gREQ, "!~": gNREQ, "in": gIN,
	"&&": gAND, "||": gOR, "+": gPLUS, "-": gMINUS, "&": gBITWISE_AND, "|": gBITWISE_OR, "^": gBITWISE_XOR,
	"<<": gBITWISE_LSHIFT, ">>": gBITWISE_RSHIFT, "*": gMULTIPLY, "/": gDIVIDE, "%": gMODULUS, "**": gEXPONENT,
	"?": gTERNARY_TRUE, ":": gTERNARY_FALSE, "??": gCOALESCE,
}

var unarySymbol = map[string]int64{"-": gNEGATE, "!": gINVERT, "~": gBITWISE_NOT}

// gnode is a node of the tree as govaluate's stages have it: symbol, left,
// right.
type gnode struct {
	sym         int64
	left, right *gnode
}

// expected builds govaluate's stage shape for our tree.
func expected(n *Node) *gnode {
	if n == nil || n.Op == OpEmpty {
		return nil
	}
	chain := func(items []*Node) *gnode {
		g := expected(items[0])
		for _, k := range items[1:] {
			g = &gnode{sym: gSEPARATE, left: g, right: expected(k)}
		}
		return g
	}
	switch n.Op {
	case OpName:
		if n.Tok.Kind == Accessor {
			return &gnode{sym: gACCESS}
		}
		return &gnode{sym: gVALUE}
	case OpString, OpNumber, OpBool:
		return &gnode{sym: gLITERAL}
	case OpParen:
		return &gnode{sym: gNOOP, right: expected(n.Kids[0])}
	case OpList:
		return chain(n.Kids)
	case OpUnary:
		return &gnode{sym: unarySymbol[n.Text], right: expected(n.Kids[0])}
	case OpBinary:
		return &gnode{sym: binarySymbol[n.Text], left: expected(n.Kids[0]), right: expected(n.Kids[1])}
	case OpCall:
		var args *gnode
		if len(n.Kids) > 0 {
			args = chain(n.Kids)
		}
		return &gnode{sym: gFUNCTIONAL, right: &gnode{sym: gNOOP, right: args}}
	case OpMethod:
		return &gnode{sym: gACCESS, right: expected(n.Kids[0])}
	}
	panic("unknown op")
}

func sameTree(stage reflect.Value, n *Node) string {
	return compareTree(fromStage(stage), collapse(expected(n)))
}

// fromStage reads govaluate's stages. A run of NOOP stages (nested
// parentheses) comes out of govaluate's reorderStages mirrored, with
// empty NOOP stages hanging on the left; such a run means its innermost
// content, so both trees collapse it to one NOOP.
func fromStage(s reflect.Value) *gnode {
	if s.IsNil() {
		return nil
	}
	st := s.Elem()
	g := &gnode{sym: st.FieldByName("symbol").Int(), left: fromStage(st.FieldByName("leftStage")), right: fromStage(st.FieldByName("rightStage"))}
	if g.sym == gNOOP {
		if !emptyNoops(g.left) {
			return g // not a shape reorderStages makes: compared as it is
		}
		g.left = nil
		for g.right != nil && g.right.sym == gNOOP && g.right.left == nil {
			g.right = g.right.right
		}
	}
	return g
}

func emptyNoops(g *gnode) bool {
	return g == nil || g.sym == gNOOP && g.right == nil && emptyNoops(g.left)
}

func collapse(g *gnode) *gnode {
	if g == nil {
		return nil
	}
	g.left, g.right = collapse(g.left), collapse(g.right)
	if g.sym == gNOOP {
		for g.right != nil && g.right.sym == gNOOP {
			g.right = g.right.right
		}
	}
	return g
}

// constantTree reports whether g reads no variable and calls nothing.
func constantTree(g *gnode) bool {
	if g == nil {
		return true
	}
	switch g.sym {
	case gVALUE, gACCESS, gFUNCTIONAL, gSEPARATE:
		return false
	}
	return constantTree(g.left) && constantTree(g.right)
}

func compareTree(g, want *gnode) string {
	switch {
	case g == nil && want == nil:
		return ""
	case g == nil:
		return fmt.Sprintf("govaluate has nothing where we have symbol %d", want.sym)
	case want == nil:
		return fmt.Sprintf("govaluate has symbol %d where we have nothing", g.sym)
	case g.sym == gLITERAL && want.sym != gLITERAL && constantTree(want):
		return "" // a constant govaluate folded (elideLiterals)
	case g.sym != want.sym:
		return fmt.Sprintf("symbol %d, want %d", g.sym, want.sym)
	}
	if msg := compareTree(g.left, want.left); msg != "" {
		return msg
	}
	return compareTree(g.right, want.right)
}

func renderStage(s reflect.Value) string {
	if s.IsNil() {
		return "nil"
	}
	st := s.Elem()
	l, r := st.FieldByName("leftStage"), st.FieldByName("rightStage")
	if l.IsNil() && r.IsNil() {
		return strconv.FormatInt(st.FieldByName("symbol").Int(), 10)
	}
	return fmt.Sprintf("%d(%s, %s)", st.FieldByName("symbol").Int(), renderStage(l), renderStage(r))
}

func render(n *Node) string {
	if n == nil {
		return "nil"
	}
	var kids []string
	for _, k := range n.Kids {
		kids = append(kids, render(k))
	}
	return fmt.Sprintf("%d:%s(%s)", n.Op, n.Text, strings.Join(kids, ", "))
}

// Pieces from which expressions are generated: valid ones most of the time,
// so that the trees are compared, and junk (backquotes, lone backslashes,
// mismatched quotes, underscores, non-ASCII) often enough that acceptance is
// compared too.
var (
	genNames = []string{"a", "b", "r_sub", "p_obj", "x.y", "r_obj.Owner", "[a b]", "c1", "é", "true", "false"}
	genLits  = []string{`'s'`, `"s"`, `'2024-01-01'`, `"a\"b"`, `'a\\b'`, `1`, `2.5`, `.5`, `0x1F`, `"(r)"`, `'x y'`, `""`}
	genBin   = []string{"==", "!=", "<", "<=", ">", ">=", "=~", "!~", "in", "IN", "&&", "||", "+", "-", "*", "/", "%", "**", "&", "|", "^", "<<", ">>", "?", ":", "??", ","}
	genJunk  = []string{"`", `\`, "_", "'", `"`, "(", ")", ",", "!", "!!", "#", "[", "]", ".", "x.", "1.2.3", "0x", "é", "\t", "==!", "\\=\\="}
)

func genExpr(r *rand.Rand, depth int) string {
	if depth <= 0 || r.IntN(4) == 0 {
		if r.IntN(2) == 0 {
			return genNames[r.IntN(len(genNames))]
		}
		return genLits[r.IntN(len(genLits))]
	}
	sp := []string{"", " ", "  "}[r.IntN(3)]
	switch r.IntN(10) {
	case 0:
		return "(" + genExpr(r, depth-1) + ")"
	case 1:
		return []string{"!", "-", "~"}[r.IntN(3)] + genExpr(r, depth-1)
	case 2:
		fn := []string{"f", "g", "x.m"}[r.IntN(3)]
		var args []string
		for i := r.IntN(4); i > 0; i-- {
			args = append(args, genExpr(r, depth-1))
		}
		return fn + "(" + strings.Join(args, ", ") + ")"
	case 3:
		return "(" + genExpr(r, depth-1) + ")" + sp + genExpr(r, depth-1)
	default:
		return genExpr(r, depth-1) + sp + genBin[r.IntN(len(genBin))] + sp + genExpr(r, depth-1)
	}
}

func mutate(r *rand.Rand, s string) string {
	if s == "" || r.IntN(3) != 0 {
		return s
	}
	i := r.IntN(len(s) + 1)
	switch r.IntN(3) {
	case 0:
		return s[:i] + genJunk[r.IntN(len(genJunk))] + s[i:]
	case 1:
		if i < len(s) {
			return s[:i] + s[i+1:]
		}
	}
	return s[:i] + " " + s[i:]
}

// TestAgreesWithGovaluate: generated expressions, many of them mutated.
func TestAgreesWithGovaluate(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	accepted := 0
	for range 20000 {
		src := mutate(r, genExpr(r, 4))
		checkAgainstGovaluate(t, src)
		if _, err := Parse(src, isTestFunc); err == nil {
			accepted++
		}
	}
	// The generator must exercise trees, not only refusals.
	t.Logf("%d of 20000 generated expressions parse", accepted)
	if accepted < 2000 {
		t.Fatalf("only %d of 20000 generated expressions parse", accepted)
	}
}

// FuzzAgreesWithGovaluate explores further:
//
//	go test -run '^$' -fuzz FuzzAgreesWithGovaluate ./internal/matchexpr
func FuzzAgreesWithGovaluate(f *testing.F) {
	for _, s := range tableSources {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 400 {
			return
		}
		checkAgainstGovaluate(t, src)
	})
}
