package csvpolicy

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLineBytes bounds one line of a policy file. Real rules are short; the
// bound keeps a corrupt or hostile file from being read into memory whole.
const MaxLineBytes = 1 << 20

// Line is one rule of a policy file.
type Line struct {
	Num    int      // 1-based line number in the file
	PType  string   // "p", "p2", "g", ...
	Values []string // the rule's fields after the ptype
}

// String renders the line as a policy line, e.g. "p, alice, /posts, GET".
func (l Line) String() string {
	var b strings.Builder
	_ = writeLine(&b, l.PType, l.Values)
	return strings.TrimSuffix(b.String(), "\n")
}

var bom = []byte("\xef\xbb\xbf")

// Parse reads a policy file and returns its rules in file order. It checks
// syntax only; LoadPolicy also checks the rules against the model. name is
// used in errors. The first problem found is returned as a *ParseError.
func Parse(name string, r io.Reader) ([]Line, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var lines []Line
	for num := 1; ; num++ {
		raw, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			if errors.Is(err, ErrLineTooLong) {
				return nil, &ParseError{File: name, Line: num, Err: ErrLineTooLong,
					Detail: fmt.Sprintf("longer than %d bytes", MaxLineBytes)}
			}
			return nil, fmt.Errorf("%s:%d: %w", name, num, err)
		}
		if raw == nil && errors.Is(err, io.EOF) {
			return lines, nil
		}
		if num == 1 {
			raw = bytes.TrimPrefix(raw, bom)
		}
		l, perr := parseLine(name, num, raw)
		if perr != nil {
			return nil, perr
		}
		if l != nil {
			lines = append(lines, *l)
		}
		if errors.Is(err, io.EOF) {
			return lines, nil
		}
	}
}

// readLine returns the next line without its line end, or nil and io.EOF
// when the input is exhausted. A last line without a newline is returned
// with io.EOF.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxLineBytes+2 { // +2 leaves room for "\r\n"
			return nil, ErrLineTooLong
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			buf = bytes.TrimSuffix(buf[:len(buf)-1], []byte{'\r'})
			if len(buf) > MaxLineBytes {
				return nil, ErrLineTooLong
			}
			return buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(buf) == 0 {
				return nil, io.EOF
			}
			buf = bytes.TrimSuffix(buf, []byte{'\r'})
			if len(buf) > MaxLineBytes {
				return nil, ErrLineTooLong
			}
			return buf, io.EOF
		default:
			return nil, err
		}
	}
}

// parseLine parses one physical line; it returns nil, nil for blank and
// comment lines.
func parseLine(name string, num int, raw []byte) (*Line, error) {
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		return nil, &ParseError{File: name, Line: num, Err: ErrBinary, Detail: fmt.Sprintf("NUL byte at column %d", i+1)}
	}
	if !utf8.Valid(raw) {
		return nil, &ParseError{File: name, Line: num, Err: ErrBinary, Detail: fmt.Sprintf("invalid UTF-8 at column %d", firstInvalid(raw)+1)}
	}
	text := strings.TrimRightFunc(string(raw), unicode.IsSpace)
	// A lone carriage return would survive into a value that no line of a
	// policy file can hold again; reject it rather than lose it on save.
	if i := strings.IndexByte(text, '\r'); i >= 0 {
		return nil, &ParseError{File: name, Line: num, Err: ErrSyntax, Detail: fmt.Sprintf("carriage return at column %d", i+1)}
	}
	trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
	if trimmed == "" || strings.HasPrefix(trimmed, "#") {
		return nil, nil
	}
	var rec []string
	if strings.IndexByte(text, '"') < 0 {
		rec = splitPlain(text)
	} else {
		var detail string
		if rec, detail = splitCSV(text); rec == nil {
			return nil, &ParseError{File: name, Line: num, Err: ErrSyntax, Detail: detail}
		}
	}
	ptype := rec[0]
	if !validPType(ptype) {
		return nil, &ParseError{File: name, Line: num, Field: "ptype", Err: ErrUnknownPType,
			Detail: fmt.Sprintf("%q is not a ptype (p, p2, ..., g, g2, ...)", ptype)}
	}
	return &Line{Num: num, PType: ptype, Values: rec[1:]}, nil
}

// validPType reports whether s has the shape of a Casbin ptype: the section
// letter p or g, optionally followed by a number of 2 or more, as Casbin
// names the keys of a section p, p2, p3 and so on.
func validPType(s string) bool {
	if len(s) == 0 || (s[0] != 'p' && s[0] != 'g') {
		return false
	}
	digits := s[1:]
	if digits == "" {
		return true
	}
	if digits[0] == '0' || digits == "1" {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(digits) < 6
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// splitPlain splits a line without quotes. It gives what splitCSV gives for
// such a line (FuzzParse checks that) without a csv.Reader per line.
func splitPlain(text string) []string {
	rec := strings.Split(text, ",")
	for i, f := range rec {
		rec[i] = strings.TrimLeftFunc(f, unicode.IsSpace)
	}
	return rec
}

// splitCSV splits a line with quoted fields. A field loses the space
// before it and keeps the rest, the space before the next comma included:
// exactly what Casbin's file adapter reads (FuzzParseAsCasbin), so that a
// file means the same rules to both. A value with surrounding space is
// then refused by the enforcer and by lint, naming the line and the field,
// rather than trimmed here into a rule Casbin does not hold. On a syntax
// error it returns nil and what is wrong.
func splitCSV(text string) ([]string, string) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	rec, err := cr.Read()
	if err != nil {
		var ce *csv.ParseError
		if errors.As(err, &ce) {
			return nil, fmt.Sprintf("%v at column %d", ce.Err, ce.Column)
		}
		return nil, err.Error()
	}
	return rec, ""
}
