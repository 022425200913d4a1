package csvfile

import (
	"io"
	"io/fs"

	"github.com/casbin/casbin/v2/model"

	"github.com/wardenhq/warden/internal/csvpolicy"
)

// The implementation is internal/csvpolicy, which the enforcer and the
// linter import without importing the adapters layer; these names are the
// public ones, and the same types.

// Adapter stores a Casbin policy in one CSV file. It implements
// persist.Adapter, persist.BatchAdapter and persist.ContextAdapter, so an
// enforcer's changes are written through: added rules are appended, removed
// rules are cut out of the file with comments and the order of other lines
// kept, and SavePolicy replaces the file atomically. Removals and saves go
// through a temporary file and a rename, so a reader never sees half a file.
type Adapter = csvpolicy.Adapter

// Option configures an Adapter.
type Option = csvpolicy.Option

// Line is one rule of a policy file with its line number.
type Line = csvpolicy.Line

// ParseError locates a problem in a policy file: FILE:LINE: [field F: ]ERR.
type ParseError = csvpolicy.ParseError

// MaxLineBytes is the longest line Parse accepts.
const MaxLineBytes = csvpolicy.MaxLineBytes

// Sentinel errors; a *ParseError wraps exactly one of them. Each matches
// warden.ErrInvalid.
var (
	// ErrSyntax is malformed CSV, such as an unterminated or stray quote.
	ErrSyntax = csvpolicy.ErrSyntax
	// ErrFieldCount is a rule with too few or too many fields for its ptype.
	ErrFieldCount = csvpolicy.ErrFieldCount
	// ErrUnknownPType is a rule whose ptype the model does not define.
	ErrUnknownPType = csvpolicy.ErrUnknownPType
	// ErrLineTooLong is a line longer than MaxLineBytes.
	ErrLineTooLong = csvpolicy.ErrLineTooLong
	// ErrBinary is a line with a NUL byte or invalid UTF-8.
	ErrBinary = csvpolicy.ErrBinary
	// ErrValue is a value that cannot be written to a policy line (a line
	// break, a NUL byte or invalid UTF-8).
	ErrValue = csvpolicy.ErrValue
)

// New returns an adapter for the policy file at path. The file is not
// opened until the first call.
func New(path string, opts ...Option) *Adapter { return csvpolicy.New(path, opts...) }

// WithFileMode sets the permissions of a policy file the adapter creates
// (default 0644). An existing file keeps its own permissions.
func WithFileMode(mode fs.FileMode) Option { return csvpolicy.WithFileMode(mode) }

// Parse reads a policy file and returns its rules in file order; name is
// used in errors.
func Parse(name string, r io.Reader) ([]Line, error) { return csvpolicy.Parse(name, r) }

// Check reports the first line of lines that the model cannot hold (an
// unknown ptype or a wrong number of fields), as a *ParseError.
func Check(file string, lines []Line, m model.Model) error { return csvpolicy.Check(file, lines, m) }

// FieldRange returns how many values a rule of the assertion's ptype may
// have: exactly one per token for a p rule; for a g rule one per _, plus
// the parameters of a conditional role definition.
func FieldRange(ast *model.Assertion) (lo, hi int) { return csvpolicy.FieldRange(ast) }

// PTypes returns the ptypes a model defines, p types first, each sorted.
func PTypes(m model.Model) []string { return csvpolicy.PTypes(m) }

// Write writes lines as a policy file, one rule per line, quoting only the
// values that need it.
func Write(w io.Writer, lines []Line) error { return csvpolicy.Write(w, lines) }
