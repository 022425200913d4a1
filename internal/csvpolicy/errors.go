package csvpolicy

import (
	"strconv"

	"github.com/wardenhq/warden"
)

// Sentinel errors; a *ParseError wraps exactly one of them.
var (
	// ErrSyntax is malformed CSV, such as an unterminated or stray quote.
	ErrSyntax = warden.NewError(warden.ErrInvalid, "syntax error")
	// ErrFieldCount is a rule with too few or too many fields for its ptype.
	ErrFieldCount = warden.NewError(warden.ErrInvalid, "wrong number of fields")
	// ErrUnknownPType is a rule whose ptype the model does not define.
	ErrUnknownPType = warden.NewError(warden.ErrInvalid, "unknown ptype")
	// ErrLineTooLong is a line longer than MaxLineBytes.
	ErrLineTooLong = warden.NewError(warden.ErrInvalid, "line too long")
	// ErrBinary is a line with a NUL byte or invalid UTF-8.
	ErrBinary = warden.NewError(warden.ErrInvalid, "binary data")
	// ErrValue is a value that cannot be written to a policy line
	// (a line break, a NUL byte or invalid UTF-8).
	ErrValue = warden.NewError(warden.ErrInvalid, "value cannot be stored")
)

// ParseError locates a problem in a policy file.
type ParseError struct {
	File   string // file name as given to Parse or New
	Line   int    // 1-based line number; 0 when the problem has no line
	Field  string // name of the offending field ("ptype", "sub", ...), if any
	Err    error  // one of the sentinel errors
	Detail string // what exactly is wrong, for people
}

// Error formats the problem as FILE:LINE: [field F: ]ERR[: DETAIL].
func (e *ParseError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	s += ": "
	if e.Field != "" {
		s += "field " + e.Field + ": "
	}
	s += e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel error so errors.Is matches it.
func (e *ParseError) Unwrap() error { return e.Err }
