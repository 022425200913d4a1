package matchexpr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Kind is the kind of a token, after govaluate's TokenKind.
type Kind uint8

// The token kinds. govaluate's FUNCTION and VARIABLE are both Name: which
// names are functions depends on the function map, and Parse takes it.
const (
	Number     Kind = iota + 1 // 1, 2.5, .5, 0x1F
	Bool                       // true, false
	String                     // 'a' or "a"; Time tells whether govaluate reads it as a time
	Name                       // a variable or function name without a dot, or a [bracketed] variable
	Accessor                   // a dotted name: r_obj.Owner
	LParen                     // (
	RParen                     // )
	Comma                      // ,
	Prefix                     // !, - or ~ where an operand starts
	Modifier                   // + - * / % ** & | ^ << >>
	Comparator                 // == != < <= > >= =~ !~ in
	Logical                    // && ||
	Ternary                    // ? : ??
)

var kindNames = [...]string{"", "number", "boolean", "string", "name", "accessor", "(", ")", ",", "prefix", "operator", "comparator", "logical operator", "ternary operator"}

// String names the kind for messages.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind" + strconv.Itoa(int(k))
}

// Token is one token of an expression.
type Token struct {
	Kind Kind
	// Text is the token as govaluate reads it: a string's value without
	// its quotes and escapes, a name (the text between the brackets of a
	// [bracketed] one), an operator's symbol ("in" for IN).
	Text string
	// Pos and End are the byte offsets of the token in the source.
	Pos, End int
	// Time is set on a String that parses as one of govaluate's time
	// layouts: govaluate then compares it as a Unix time, not as a string.
	Time bool
	// Escaped is set when a backslash escape was read inside the token.
	Escaped bool
	// Bracketed is set on a Name written [like this].
	Bracketed bool
}

// Error is a syntax error at a byte offset of the source.
type Error struct {
	Pos int
	Msg string
	err error // ErrMisread, or nil
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("at offset %d: %s", e.Pos, e.Msg) }

// Unwrap lets errors.Is(err, ErrMisread) hold for a misread.
func (e *Error) Unwrap() error { return e.err }

// ErrMisread is matched by Parse's error for an expression govaluate
// accepts but reads differently from how it is written: it ignores what
// follows a complete parenthesised term or call that no operator joins.
var ErrMisread = errors.New("govaluate ignores part of the expression")

func errAt(pos int, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// lexer is govaluate's lexerStream over runes, with each rune's byte offset.
type lexer struct {
	src  string
	rs   []rune
	offs []int // offs[i] is the byte offset of rs[i]; offs[len(rs)] == len(src)
	pos  int
	esc  bool // the token being read had an escape
	// trail is how many runes the token's reading consumed after its end:
	// 1 when it stopped at a whitespace, which govaluate reads and drops.
	trail int
}

func (lx *lexer) canRead() bool { return lx.pos < len(lx.rs) }

func (lx *lexer) read() rune {
	r := lx.rs[lx.pos]
	lx.pos++
	return r
}

func (lx *lexer) rewind(n int) { lx.pos -= n }

func (lx *lexer) off(i int) int { return lx.offs[i] }

// Tokenize splits src into govaluate's tokens, or fails where govaluate's
// lexer fails (or panics).
func Tokenize(src string) ([]Token, error) {
	lx := &lexer{src: src}
	for i, r := range src {
		lx.rs = append(lx.rs, r)
		lx.offs = append(lx.offs, i)
	}
	lx.offs = append(lx.offs, len(src))
	var toks []Token
	state := stateUnknown
	for lx.canRead() {
		t, ok, err := lx.token(state)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		toks = append(toks, t)
		state = t.state()
	}
	return toks, nil
}

// token is govaluate's readToken; state is the lexer state after the
// previous token, which decides whether - ! ~ are prefixes.
func (lx *lexer) token(state lexState) (Token, bool, error) {
	for lx.canRead() {
		c := lx.read()
		if unicode.IsSpace(c) {
			continue
		}
		start := lx.pos - 1
		lx.esc, lx.trail = false, 0
		done := func(k Kind, text string) (Token, bool, error) {
			return Token{Kind: k, Text: text, Pos: lx.off(start), End: lx.off(lx.pos - lx.trail), Escaped: lx.esc}, true, nil
		}
		switch {
		case isNumeric(c):
			if lx.canRead() && c == '0' {
				c = lx.read()
				if lx.canRead() && c == 'x' {
					text, _, err := lx.readUntilFalse(false, true, true, isHexDigit)
					if err != nil {
						return Token{}, false, err
					}
					if _, err := strconv.ParseUint(text, 16, 64); err != nil {
						return Token{}, false, errAt(lx.off(start), "hex value %q does not parse", text)
					}
					return done(Number, "0x"+text)
				}
				lx.rewind(1)
			}
			text, err := lx.readTokenUntilFalse(isNumeric)
			if err != nil {
				return Token{}, false, err
			}
			if _, err := strconv.ParseFloat(text, 64); err != nil {
				return Token{}, false, errAt(lx.off(start), "numeric value %q does not parse", text)
			}
			return done(Number, text)
		case c == ',':
			return done(Comma, ",")
		case c == '[':
			text, completed, err := lx.readUntilFalse(true, false, true, func(r rune) bool { return r != ']' })
			if err != nil {
				return Token{}, false, err
			}
			if !completed {
				return Token{}, false, errAt(lx.off(start), "unclosed parameter bracket")
			}
			lx.rewind(-1)
			t, ok, err := done(Name, text)
			t.Bracketed = true
			return t, ok, err
		case unicode.IsLetter(c):
			text, err := lx.readTokenUntilFalse(isVariableName)
			if err != nil {
				return Token{}, false, err
			}
			kind := Name
			switch text {
			case "true", "false":
				kind = Bool
			case "in", "IN":
				kind, text = Comparator, "in"
			}
			if i := strings.IndexByte(text, '.'); i > 0 {
				if text[len(text)-1] == '.' {
					return Token{}, false, errAt(lx.off(start), "hanging accessor on token %q", text)
				}
				kind = Accessor
			}
			return done(kind, text)
		case c == '\'' || c == '"':
			text, completed, err := lx.readUntilFalse(true, false, true, isNotQuote)
			if err != nil {
				return Token{}, false, err
			}
			if !completed {
				return Token{}, false, errAt(lx.off(start), "unclosed string literal")
			}
			lx.rewind(-1)
			t, ok, err := done(String, text)
			t.Time = IsTime(text)
			return t, ok, err
		case c == '(':
			return done(LParen, "(")
		case c == ')':
			return done(RParen, ")")
		}
		text, err := lx.readTokenUntilFalse(isNotAlphanumeric)
		if err != nil {
			return Token{}, false, err
		}
		switch {
		case state.canTransitionTo(gvPrefix) && prefixSymbols[text]:
			return done(Prefix, text)
		case modifierSymbols[text]:
			return done(Modifier, text)
		case text == "&&" || text == "||":
			return done(Logical, text)
		case comparatorSymbols[text]:
			return done(Comparator, text)
		case text == "?" || text == ":" || text == "??":
			return done(Ternary, text)
		}
		return Token{}, false, errAt(lx.off(start), "invalid token %q", text)
	}
	return Token{}, false, nil
}

func (lx *lexer) readTokenUntilFalse(cond func(rune) bool) (string, error) {
	lx.rewind(1)
	s, _, err := lx.readUntilFalse(false, true, true, cond)
	return s, err
}

// readUntilFalse is govaluate's: it reads while cond holds, a backslash
// taking the next rune whatever it is, and stops at whitespace when
// breakWhitespace and something was read. completed is false when the
// source ended first.
func (lx *lexer) readUntilFalse(includeWhitespace, breakWhitespace, allowEscaping bool, cond func(rune) bool) (string, bool, error) {
	var b strings.Builder
	for lx.canRead() {
		c := lx.read()
		if allowEscaping && c == '\\' {
			if !lx.canRead() {
				// govaluate indexes past its input here and panics.
				return "", false, errAt(lx.off(lx.pos-1), "backslash at the end of the expression")
			}
			lx.esc = true
			b.WriteRune(lx.read())
			continue
		}
		if unicode.IsSpace(c) {
			if breakWhitespace && b.Len() > 0 {
				lx.trail = 1
				return b.String(), true, nil
			}
			if !includeWhitespace {
				continue
			}
		}
		if !cond(c) {
			lx.rewind(1)
			return b.String(), true, nil
		}
		b.WriteRune(c)
	}
	return b.String(), false, nil
}

func isNumeric(c rune) bool { return unicode.IsDigit(c) || c == '.' }

func isHexDigit(c rune) bool {
	c = unicode.ToLower(c)
	return unicode.IsDigit(c) || c >= 'a' && c <= 'f'
}

func isNotQuote(c rune) bool { return c != '\'' && c != '"' }

func isNotAlphanumeric(c rune) bool {
	return !(unicode.IsDigit(c) || unicode.IsLetter(c) || c == '(' || c == ')' || c == '[' || c == ']' || !isNotQuote(c))
}

func isVariableName(c rune) bool {
	return unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' || c == '.'
}

var (
	prefixSymbols     = map[string]bool{"-": true, "!": true, "~": true}
	modifierSymbols   = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true, "**": true, "&": true, "|": true, "^": true, ">>": true, "<<": true}
	comparatorSymbols = map[string]bool{"==": true, "!=": true, ">": true, ">=": true, "<": true, "<=": true, "=~": true, "!~": true, "in": true}
)

// timeLayouts are the layouts govaluate tries on every string literal
// (parsing.go, tryParseTime), in its order.
var timeLayouts = []string{
	time.ANSIC, time.UnixDate, time.RubyDate, time.Kitchen, time.RFC3339, time.RFC3339Nano,
	"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02 15:04:05-07:00",
	"2006-01-02T15Z0700", "2006-01-02T15:04Z0700", "2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
}

// IsTime reports whether govaluate reads a string literal with this value
// as a time (and compares it as a number).
func IsTime(s string) bool {
	for _, f := range timeLayouts {
		if _, err := time.ParseInLocation(f, s, time.Local); err == nil {
			return true
		}
	}
	return false
}

// lexState is govaluate's lexer state: the kind of the previous token,
// after which only some kinds may follow.
type lexState uint8

// govaluate's token kinds, for the state table.
const (
	stateUnknown lexState = iota
	gvPrefix
	gvNumeric
	gvBoolean
	gvString
	gvPattern
	gvTime
	gvVariable
	gvFunction
	gvSeparator
	gvAccessor
	gvComparator
	gvLogical
	gvModifier
	gvClause
	gvClauseClose
	gvTernary
)

type stateDef struct {
	eof  bool
	next []lexState
}

// states is govaluate's validLexerStates.
var states = map[lexState]stateDef{
	stateUnknown:  {false, []lexState{gvPrefix, gvNumeric, gvBoolean, gvVariable, gvPattern, gvFunction, gvAccessor, gvString, gvTime, gvClause}},
	gvClause:      {false, []lexState{gvPrefix, gvNumeric, gvBoolean, gvVariable, gvPattern, gvFunction, gvAccessor, gvString, gvTime, gvClause, gvClauseClose}},
	gvClauseClose: {true, []lexState{gvComparator, gvModifier, gvNumeric, gvBoolean, gvVariable, gvString, gvPattern, gvTime, gvClause, gvClauseClose, gvLogical, gvTernary, gvSeparator}},
	gvNumeric:     {true, []lexState{gvModifier, gvComparator, gvLogical, gvClauseClose, gvTernary, gvSeparator}},
	gvBoolean:     {true, []lexState{gvModifier, gvComparator, gvLogical, gvClauseClose, gvTernary, gvSeparator}},
	gvString:      {true, []lexState{gvModifier, gvComparator, gvLogical, gvClauseClose, gvTernary, gvSeparator}},
	gvTime:        {true, []lexState{gvModifier, gvComparator, gvLogical, gvClauseClose, gvSeparator}},
	gvPattern:     {true, []lexState{gvModifier, gvComparator, gvLogical, gvClauseClose, gvSeparator}},
	gvVariable:    {true, []lexState{gvModifier, gvComparator, gvLogical, gvClauseClose, gvTernary, gvSeparator}},
	gvModifier:    {false, []lexState{gvPrefix, gvNumeric, gvVariable, gvFunction, gvAccessor, gvString, gvBoolean, gvClause, gvClauseClose}},
	gvComparator:  {false, []lexState{gvPrefix, gvNumeric, gvBoolean, gvVariable, gvFunction, gvAccessor, gvString, gvTime, gvClause, gvClauseClose, gvPattern}},
	gvLogical:     {false, []lexState{gvPrefix, gvNumeric, gvBoolean, gvVariable, gvFunction, gvAccessor, gvString, gvTime, gvClause, gvClauseClose}},
	gvPrefix:      {false, []lexState{gvNumeric, gvBoolean, gvVariable, gvFunction, gvAccessor, gvClause, gvClauseClose}},
	gvTernary:     {false, []lexState{gvPrefix, gvNumeric, gvBoolean, gvString, gvTime, gvVariable, gvFunction, gvAccessor, gvClause, gvSeparator}},
	gvFunction:    {false, []lexState{gvClause}},
	gvAccessor:    {true, []lexState{gvClause, gvModifier, gvComparator, gvLogical, gvClauseClose, gvTernary, gvSeparator}},
	gvSeparator:   {false, []lexState{gvPrefix, gvNumeric, gvBoolean, gvString, gvTime, gvVariable, gvFunction, gvAccessor, gvClause}},
}

func (s lexState) canTransitionTo(k lexState) bool {
	for _, n := range states[s].next {
		if n == k {
			return true
		}
	}
	return false
}

// state is the lexer state after t, taking a Name for a variable: for the
// prefix decision a function is the same.
func (t Token) state() lexState {
	switch t.Kind {
	case Number:
		return gvNumeric
	case Bool:
		return gvBoolean
	case String:
		if t.Time {
			return gvTime
		}
		return gvString
	case Name:
		return gvVariable
	case Accessor:
		return gvAccessor
	case LParen:
		return gvClause
	case RParen:
		return gvClauseClose
	case Comma:
		return gvSeparator
	case Prefix:
		return gvPrefix
	case Modifier:
		return gvModifier
	case Comparator:
		return gvComparator
	case Logical:
		return gvLogical
	case Ternary:
		return gvTernary
	}
	return stateUnknown
}
