package sqlfilter

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardenhq/warden/filter"
)

// Dialect is a SQL dialect.
type Dialect uint8

// The dialects.
const (
	SQLite Dialect = iota + 1
	Postgres
	MySQL // MySQL and MariaDB
)

// ParseDialect reads "sqlite", "postgres" (or "postgresql", "pgx") or
// "mysql" (or "mariadb").
func ParseDialect(name string) (Dialect, error) {
	switch strings.ToLower(name) {
	case "sqlite", "sqlite3":
		return SQLite, nil
	case "postgres", "postgresql", "pgx":
		return Postgres, nil
	case "mysql", "mariadb":
		return MySQL, nil
	}
	return 0, fmt.Errorf("sqlfilter: unknown dialect %q (sqlite, postgres or mysql)", name)
}

// String returns "sqlite", "postgres" or "mysql".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	case MySQL:
		return "mysql"
	}
	return "unknown"
}

// Columns maps a plan's fields ("obj", "obj.Owner") to column names. A
// name may be qualified ("posts.path"); each part is quoted.
type Columns map[string]string

// Where is a WHERE fragment and its arguments, in order.
type Where struct {
	SQL  string
	Args []any
}

// Option configures a translation.
type Option func(*config)

type config struct{ questionMarks bool }

// WithQuestionMarks writes every placeholder as ?, whatever the dialect
// (GORM numbers them itself on PostgreSQL).
func WithQuestionMarks() Option { return func(c *config) { c.questionMarks = true } }

// The fragments of the two constant plans.
const (
	sqlTrue  = "1 = 1"
	sqlFalse = "1 = 0"
)

// Translate returns the WHERE fragment of p: "1 = 1" for an always
// allowed plan, "1 = 0" for an always denied one. Placeholders are $1, $2…
// on PostgreSQL and ? elsewhere. A condition the dialect cannot express
// exactly, or a field without a column, is an error (matching
// filter.ErrUnsupported for the former); never a wider fragment.
func Translate(p filter.Plan, d Dialect, cols Columns, opts ...Option) (Where, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if d < SQLite || d > MySQL {
		return Where{}, fmt.Errorf("sqlfilter: unknown dialect %d", d)
	}
	switch p.Kind {
	case filter.AlwaysAllowed:
		return Where{SQL: sqlTrue}, nil
	case filter.Conditional:
	default:
		return Where{SQL: sqlFalse}, nil
	}
	if p.Cond == nil {
		return Where{}, fmt.Errorf("sqlfilter: conditional plan without a condition")
	}
	w := &writer{d: d, cols: cols, qm: cfg.questionMarks || d != Postgres}
	// Every mapped column, not only those the condition tests: a NULL
	// attribute has no value the decision could be asked about.
	fields := p.Cond.Fields()
	for f := range cols {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	// The plan's bound on the length of a request value (Decide refuses a
	// longer one, an attribute of the object included) applies to every
	// mapped column, not only to those the condition tests.
	bound, bounded := planBound(p.Cond)
	seen := map[string]bool{}
	for _, f := range slices.Compact(fields) {
		col, err := w.column(f)
		if err != nil {
			return Where{}, err
		}
		if !seen[col] {
			seen[col] = true
			w.b.WriteString(col + " IS NOT NULL AND ")
			if d == SQLite {
				// SQLite keeps a BLOB as a BLOB in a column of any type,
				// and a number as a number in one without TEXT affinity:
				// neither equals a TEXT argument, and NOT (col = ?) would
				// return a row whose value the decision reads as the
				// denied string. Such a row has no text to ask about.
				w.b.WriteString("typeof(" + col + ") = 'text' AND ")
			}
			if _, ok := bounded[f]; !ok && bound >= 0 {
				if err := w.cond(filter.MaxLen(f, bound)); err != nil {
					return Where{}, err
				}
				w.b.WriteString(" AND ")
			}
		}
	}
	if err := w.cond(p.Cond); err != nil {
		return Where{}, err
	}
	return Where{SQL: w.b.String(), Args: w.args}, nil
}

// planBound returns the smallest length bound among the top-level terms of
// c (-1 if none) and the fields those terms bound.
func planBound(c *filter.Cond) (int, map[string]bool) {
	kids := []*filter.Cond{c}
	if c.Op == filter.OpAnd {
		kids = c.Kids
	}
	bound, fields := -1, map[string]bool{}
	for _, k := range kids {
		if k.Op == filter.OpMaxLen {
			fields[k.Field] = true
			if bound < 0 || k.Max < bound {
				bound = k.Max
			}
		}
	}
	return bound, fields
}

type writer struct {
	d    Dialect
	cols Columns
	qm   bool
	neg  bool // under an odd number of NOTs
	b    strings.Builder
	args []any
}

func (w *writer) arg(v string) string {
	w.args = append(w.args, v)
	if w.qm {
		return "?"
	}
	return "$" + strconv.Itoa(len(w.args))
}

// column returns the quoted column of field.
// ErrColumn means a field of the plan has no column in Columns, or one
// whose name is no identifier (an empty part, a quote, a grave accent, a
// NUL or invalid UTF-8): the caller's configuration, never the policy.
var ErrColumn = errors.New("sqlfilter: invalid column")

func (w *writer) column(field string) (string, error) {
	name, ok := w.cols[field]
	if !ok || name == "" {
		return "", fmt.Errorf("%w: no column for field %s", ErrColumn, field)
	}
	parts := strings.Split(name, ".")
	// SQLite reads a double-quoted name that is no column as a string
	// literal: a misspelt or renamed column would compare the name itself,
	// and NOT (… = ?) would hold for every row. A name in grave accents
	// is only ever an identifier there, as on MySQL.
	q := "`"
	if w.d == Postgres {
		q = `"`
	}
	for i, p := range parts {
		if p == "" || strings.ContainsAny(p, "\"`\x00") || !utf8.ValidString(p) {
			return "", fmt.Errorf("%w: column name %q for field %s is no identifier", ErrColumn, name, field)
		}
		parts[i] = q + p + q
	}
	return strings.Join(parts, "."), nil
}

func (w *writer) cond(c *filter.Cond) error {
	switch c.Op {
	case filter.OpAnd, filter.OpOr:
		if len(c.Kids) == 0 {
			if c.Op == filter.OpAnd {
				w.b.WriteString(sqlTrue)
			} else {
				w.b.WriteString(sqlFalse)
			}
			return nil
		}
		sep := " AND "
		if c.Op == filter.OpOr {
			sep = " OR "
		}
		w.b.WriteByte('(')
		for i, k := range c.Kids {
			if i > 0 {
				w.b.WriteString(sep)
			}
			if err := w.cond(k); err != nil {
				return err
			}
		}
		w.b.WriteByte(')')
		return nil
	case filter.OpNot:
		if len(c.Kids) != 1 {
			return fmt.Errorf("sqlfilter: NOT with %d conditions", len(c.Kids))
		}
		w.b.WriteString("NOT (")
		w.neg = !w.neg
		err := w.cond(c.Kids[0])
		w.neg = !w.neg
		if err != nil {
			return err
		}
		w.b.WriteByte(')')
		return nil
	}
	col, err := w.column(c.Field)
	if err != nil {
		return err
	}
	switch c.Op {
	case filter.OpEq:
		w.b.WriteString(col + " = " + w.arg(c.Values[0]))
	case filter.OpIn:
		if len(c.Values) == 0 {
			w.b.WriteString(sqlFalse)
			return nil
		}
		vals := slices.Clone(c.Values)
		slices.Sort(vals)
		vals = slices.Compact(vals)
		w.b.WriteString(col + " IN (")
		for i, v := range vals {
			if i > 0 {
				w.b.WriteString(", ")
			}
			w.b.WriteString(w.arg(v))
		}
		w.b.WriteByte(')')
	case filter.OpPrefix:
		w.prefix(func() string { return col }, c.Values[0], false)
	case filter.OpRegex:
		return w.regex(col, c)
	case filter.OpMaxLen:
		n := map[Dialect]string{SQLite: "length(CAST(" + col + " AS BLOB))", Postgres: "octet_length(" + col + ")", MySQL: "LENGTH(" + col + ")"}[w.d]
		w.b.WriteString(n + " <= " + w.argInt(c.Max))
	default:
		return fmt.Errorf("%w: sqlfilter: operator %d", filter.ErrUnsupported, c.Op)
	}
	return nil
}

// prefix writes "expr starts with p" and, with noNewline, "and has no
// newline after p". expr writes the tested expression (and binds its
// arguments) each time it is called.
func (w *writer) prefix(expr func() string, p string, noNewline bool) {
	if w.d == SQLite {
		// SQLite's LIKE folds ASCII case, and GLOB reads text up to a NUL
		// and decodes invalid UTF-8 its own way: the bytes compare exactly.
		w.b.WriteString("(")
		if p == "" {
			w.b.WriteString(sqlTrue)
		} else {
			// The length test first: substr of an empty BLOB is NULL,
			// which NOT would not turn into true.
			w.b.WriteString("length(CAST(" + expr() + " AS BLOB)) >= " + w.argInt(len(p)) +
				" AND substr(CAST(" + expr() + " AS BLOB), 1, " + w.argInt(len(p)) + ") = CAST(" + w.arg(p) + " AS BLOB)")
		}
		if noNewline {
			w.b.WriteString(" AND regexp(" + w.arg(`\A`+regexp.QuoteMeta(p)+`.*\z`) + ", " + blobArg(expr) + ")")
		}
		w.b.WriteString(")")
		return
	}
	w.b.WriteString(expr() + " LIKE " + w.arg(escapeLike(p)+"%") + " ESCAPE '!'")
	if noNewline {
		w.b.WriteString(" AND " + expr() + " NOT LIKE " + w.arg(escapeLike(p)+"%\n%") + " ESCAPE '!'")
	}
}

// blobArg passes expr to a function as a BLOB, every byte included (as
// TEXT the driver cuts it at a NUL); the empty value goes as TEXT, since
// the driver fails on an empty BLOB.
func blobArg(expr func() string) string {
	test := "CASE WHEN length(CAST(" + expr() + " AS BLOB)) = 0"
	return test + " THEN '' ELSE CAST(" + expr() + " AS BLOB) END"
}

func (w *writer) argInt(n int) string {
	w.args = append(w.args, n)
	if w.qm {
		return "?"
	}
	return "$" + strconv.Itoa(len(w.args))
}

func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// regex writes a regular expression condition: = or a prefix when the
// expression is one, else the dialect's regular expression.
func (w *writer) regex(col string, c *filter.Cond) error {
	expr := func() string { return col }
	if c.Before != "" {
		expr = func() string { return w.before(col, c.Before) }
	}
	re, err := syntax.Parse(c.Regex, syntax.Perl)
	if err != nil {
		return fmt.Errorf("sqlfilter: regular expression %q: %v", c.Regex, err)
	}
	// On SQLite a cut value is a BLOB, which = and LIKE treat as other
	// than text: the regexp function, on every byte, is exact there.
	if lit, kind := literalForm(re); kind != notLiteral && (w.d != SQLite || c.Before == "") {
		switch kind {
		case exactLiteral:
			w.b.WriteString(expr() + " = " + w.arg(lit))
		case prefixAny:
			w.prefix(expr, lit, false)
		case prefixLine:
			w.b.WriteByte('(')
			w.prefix(expr, lit, true)
			w.b.WriteByte(')')
		}
		return nil
	}
	switch w.d {
	case SQLite:
		// As a BLOB the function gets every byte, NUL and invalid UTF-8
		// included, as the decision would.
		pat := w.arg(c.Regex)
		w.b.WriteString("regexp(" + pat + ", " + blobArg(expr) + ")")
	case Postgres:
		src, err := emit(re, flavorARE)
		if err != nil {
			return fmt.Errorf("%w: sqlfilter: %s on PostgreSQL: %v", filter.ErrUnsupported, describe(c), err)
		}
		e := expr()
		w.b.WriteString(e + " ~ " + w.arg(src))
	case MySQL:
		// MariaDB's PCRE gives up on a match past its match limit with a
		// warning and answers 0. Under NOT (a deny rule) that would return
		// a row the decision denies; outside NOT it can only omit one.
		if w.neg && !backtrackFree(re) {
			return fmt.Errorf("%w: sqlfilter: %s on MySQL/MariaDB under NOT (a deny rule): PCRE may backtrack past its match limit and answer no match", filter.ErrUnsupported, describe(c))
		}
		src, err := emit(re, flavorPCRE)
		if err != nil {
			return fmt.Errorf("%w: sqlfilter: %s on MySQL/MariaDB: %v", filter.ErrUnsupported, describe(c), err)
		}
		// Matched as UTF-8 characters, case-sensitively, whatever the
		// column's type (a VARBINARY column would be matched byte by byte).
		// A VARBINARY value that is not UTF-8 is NULL, unknown in either
		// polarity: CONVERT would turn an invalid byte into "?", which
		// the decision reads as U+FFFD.
		w.b.WriteString("CASE WHEN CAST(" + expr() + " AS BINARY) REGEXP " + w.arg(validUTF8) +
			" THEN CONVERT(" + expr() + " USING utf8mb4) COLLATE utf8mb4_bin REGEXP " + w.arg(src) + " END")
	}
	return nil
}

// validUTF8 matches, byte by byte, the well-formed UTF-8 that Go decodes
// without U+FFFD for an error: no overlong forms, surrogates or code
// points above U+10FFFF. The first byte picks the one branch that can
// match, so PCRE does not backtrack between them.
const validUTF8 = `\A(?:[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|` +
	`\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2})*\z`

func describe(c *filter.Cond) string {
	if c.Source != "" {
		return c.Source
	}
	return "regular expression " + strconv.Quote(c.Regex)
}

// before is the SQL for the part of col before the first sep.
func (w *writer) before(col, sep string) string {
	switch w.d {
	case Postgres:
		return "split_part(" + col + ", " + w.arg(sep) + ", 1)"
	case MySQL:
		return "SUBSTRING_INDEX(" + col + ", " + w.arg(sep) + ", 1)"
	}
	// Byte positions on the BLOB, so that NUL or invalid UTF-8 cannot
	// shift them.
	b := "CAST(" + col + " AS BLOB)"
	i := "instr(" + b + ", CAST(" + w.arg(sep) + " AS BLOB))"
	j := "instr(" + b + ", CAST(" + w.arg(sep) + " AS BLOB))"
	return "CASE WHEN " + i + " > 0 THEN substr(" + b + ", 1, " + j + " - 1) ELSE " + b + " END"
}

type literalKind uint8

const (
	notLiteral   literalKind = iota
	exactLiteral             // \Aabc\z
	prefixAny                // \Aabc(?s:.*)
	prefixLine               // \Aabc.*\z: no newline after the prefix
)

// literalForm recognises the expressions = and LIKE state exactly.
func literalForm(re *syntax.Regexp) (string, literalKind) {
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return "", notLiteral
	}
	subs := re.Sub[1:]
	var lit []rune
	for len(subs) > 0 && subs[0].Op == syntax.OpLiteral && subs[0].Flags&syntax.FoldCase == 0 {
		lit = append(lit, subs[0].Rune...)
		subs = subs[1:]
	}
	s := string(lit)
	isStar := func(r *syntax.Regexp, op syntax.Op) bool {
		return r.Op == syntax.OpStar && r.Sub[0].Op == op
	}
	switch {
	case len(subs) == 1 && subs[0].Op == syntax.OpEndText:
		return s, exactLiteral
	case len(subs) == 1 && isStar(subs[0], syntax.OpAnyChar):
		return s, prefixAny
	case len(subs) == 2 && isStar(subs[0], syntax.OpAnyChar) && subs[1].Op == syntax.OpEndText:
		return s, prefixAny
	case len(subs) == 2 && isStar(subs[0], syntax.OpAnyCharNotNL) && subs[1].Op == syntax.OpEndText:
		return s, prefixLine
	}
	return "", notLiteral
}
