package csvpolicy

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Write writes lines as a policy file, one rule per line, quoting only the
// fields that need it. Parse reads back the same ptypes and values.
func Write(w io.Writer, lines []Line) error {
	for _, l := range lines {
		if err := writeLine(w, l.PType, l.Values); err != nil {
			return err
		}
	}
	return nil
}

func writeLine(w io.Writer, ptype string, values []string) error {
	if !validPType(ptype) {
		return &ParseError{Field: "ptype", Err: ErrUnknownPType, Detail: fmt.Sprintf("%q is not a ptype", ptype)}
	}
	var b strings.Builder
	b.WriteString(ptype)
	for i, v := range values {
		if err := checkValue(v); err != nil {
			return &ParseError{Err: ErrValue, Detail: fmt.Sprintf("%s rule value %d: %s", ptype, i+1, err)}
		}
		b.WriteString(", ")
		if needsQuotes(v) {
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(v, `"`, `""`))
			b.WriteByte('"')
		} else {
			b.WriteString(v)
		}
	}
	if b.Len() > MaxLineBytes {
		return &ParseError{Err: ErrValue, Detail: fmt.Sprintf("%s rule longer than %d bytes", ptype, MaxLineBytes)}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// checkValue rejects what a one-line CSV field cannot carry back unchanged.
func checkValue(v string) error {
	switch {
	case strings.ContainsAny(v, "\r\n"):
		return fmt.Errorf("line break")
	case strings.IndexByte(v, 0) >= 0:
		return fmt.Errorf("NUL byte")
	case !utf8.ValidString(v):
		return fmt.Errorf("invalid UTF-8")
	}
	return nil
}

func needsQuotes(v string) bool {
	if v == "" || strings.ContainsAny(v, `,"`) {
		return true
	}
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	return unicode.IsSpace(first) || unicode.IsSpace(last)
}
