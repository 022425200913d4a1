package jsonfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/permission"
)

// Sentinel errors; a *ParseError wraps one of them.
var (
	// ErrSyntax is malformed JSON.
	ErrSyntax = warden.NewError(warden.ErrInvalid, "syntax error")
	// ErrShape is valid JSON that is not of the documented form.
	ErrShape = warden.NewError(warden.ErrInvalid, "unexpected structure")
	// ErrValue is a name or permission that cannot be used.
	ErrValue = warden.NewError(warden.ErrInvalid, "invalid value")
)

// MaxFileBytes bounds the file size that is read.
const MaxFileBytes = 32 << 20

// ParseError locates a problem in a policy file.
type ParseError struct {
	File   string
	Line   int // 1-based; 0 when the problem has no line
	Err    error
	Detail string
}

// Error formats the problem as FILE:LINE: ERR: DETAIL.
func (e *ParseError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	s += ": " + e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

// Policy is the content of a policy file. Lists keep file order, without
// repeats.
type Policy struct {
	Users     map[string][]string // user -> permissions
	Roles     map[string][]string // role -> permissions
	UserRoles map[string][]string // user -> roles
}

// parser walks the JSON token stream, so that every error can name the line
// of the token it is about.
type parser struct {
	name string
	data []byte
	dec  *json.Decoder
}

// Parse parses and checks a policy file's content; name is used in errors.
func Parse(name string, data []byte) (*Policy, error) {
	if len(data) > MaxFileBytes {
		return nil, &ParseError{File: name, Err: ErrShape, Detail: fmt.Sprintf("larger than %d bytes", MaxFileBytes)}
	}
	p := &parser{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	pol := &Policy{Users: map[string][]string{}, Roles: map[string][]string{}, UserRoles: map[string][]string{}}
	if err := p.delim('{', "the file must be a JSON object"); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for p.dec.More() {
		key, line, err := p.str("a section name")
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, p.errAt(line, ErrShape, fmt.Sprintf("section %q appears twice", key))
		}
		seen[key] = true
		var dst map[string][]string
		var check func(string) error
		switch key {
		case "users":
			dst, check = pol.Users, checkPermission
		case "roles":
			dst, check = pol.Roles, checkPermission
		case "user_roles":
			dst, check = pol.UserRoles, checkName
		default:
			return nil, p.errAt(line, ErrShape, fmt.Sprintf("unknown section %q (want users, roles, user_roles)", key))
		}
		if err := p.section(key, dst, check); err != nil {
			return nil, err
		}
	}
	if err := p.delim('}', "the object is not closed"); err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, p.errAt(p.line(), ErrSyntax, "data after the top-level object")
	}
	return pol, nil
}

func (p *parser) section(name string, dst map[string][]string, check func(string) error) error {
	if err := p.delim('{', fmt.Sprintf("%q must be an object", name)); err != nil {
		return err
	}
	for p.dec.More() {
		key, line, err := p.str(fmt.Sprintf("a name in %q", name))
		if err != nil {
			return err
		}
		if err := checkName(key); err != nil {
			return p.errAt(line, ErrValue, fmt.Sprintf("%s: %v", name, err))
		}
		if _, dup := dst[key]; dup {
			return p.errAt(line, ErrShape, fmt.Sprintf("%q appears twice in %q", key, name))
		}
		if err := p.delim('[', fmt.Sprintf("%s.%s must be a list of strings", name, key)); err != nil {
			return err
		}
		list := []string{}
		seen := map[string]bool{}
		for p.dec.More() {
			v, line, err := p.str(fmt.Sprintf("%s.%s must hold strings", name, key))
			if err != nil {
				return err
			}
			if err := check(v); err != nil {
				return p.errAt(line, ErrValue, fmt.Sprintf("%s.%s: %v", name, key, err))
			}
			if !seen[v] {
				seen[v] = true
				list = append(list, v)
			}
		}
		if err := p.delim(']', ""); err != nil {
			return err
		}
		dst[key] = list
	}
	return p.delim('}', "")
}

// delim reads the next token and requires it to be d.
func (p *parser) delim(d json.Delim, what string) error {
	tok, err := p.dec.Token()
	if err != nil {
		return p.tokenErr(err)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		if what == "" {
			what = fmt.Sprintf("want %q", d)
		}
		return p.errAt(p.line(), ErrShape, fmt.Sprintf("%s, found %s", what, describe(tok)))
	}
	return nil
}

// str reads the next token and requires a string; it returns its line.
func (p *parser) str(what string) (string, int, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return "", 0, p.tokenErr(err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", 0, p.errAt(p.line(), ErrShape, fmt.Sprintf("want %s, found %s", what, describe(tok)))
	}
	return s, p.line(), nil
}

func (p *parser) tokenErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return p.errAt(lineAt(p.data, se.Offset), ErrSyntax, se.Error())
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return p.errAt(lineAt(p.data, int64(len(p.data))), ErrSyntax, "unexpected end of file")
	}
	return p.errAt(p.line(), ErrSyntax, err.Error())
}

// line is the line where the last token read ends.
func (p *parser) line() int { return lineAt(p.data, p.dec.InputOffset()) }

func (p *parser) errAt(line int, err error, detail string) error {
	return &ParseError{File: p.name, Line: line, Err: err, Detail: detail}
}

// lineAt returns the 1-based line of byte offset off. For a syntax error the
// offset is just past the bad byte, so a newline there belongs to the line
// before.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	if off > 0 && data[off-1] == '\n' {
		off--
	}
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(v))
	case string:
		return fmt.Sprintf("string %q", v)
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%T %v", v, v)
	}
}

// checkName checks a user or role name: it must be usable as a Casbin rule
// value, which is keyed by values joined with ", ".
func checkName(s string) error {
	switch {
	case s == "":
		return errors.New("empty name")
	case !utf8.ValidString(s):
		return errors.New("name is not UTF-8")
	case strings.ContainsAny(s, ",\"\r\n\x00"):
		return fmt.Errorf("name %q contains a comma, quote, line break or NUL", s)
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("name %q has leading or trailing space", s)
	}
	return nil
}

func checkPermission(s string) error { return permission.Validate(s) }
