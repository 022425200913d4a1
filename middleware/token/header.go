package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// checkHeader refuses JOSE headers Warden cannot honour. A "crit" header
// lists extensions the recipient must understand and process, or reject
// the token (RFC 7515, section 4.1.11). Warden understands no extension
// (such as "b64": false of RFC 7797, which changes what the signature
// covers), so any "crit" is refused, whatever it lists, malformed included.
func checkHeader(h map[string]any) error {
	if v, ok := h["crit"]; ok {
		return fmt.Errorf("%w: %v", ErrCriticalHeader, v)
	}
	return nil
}

// checkSegments refuses a token whose header or claims have two readings.
//
// A member named twice: RFC 7515 (section 4) and RFC 7519 (section 4) let
// a recipient either refuse such a token or keep the last member, as
// encoding/json does; a gateway or a log pipeline in front of Warden may
// keep the first, and then {"sub":"alice","sub":"admin"} is a different
// caller to each.
//
// Text that is not Unicode: bytes that are not UTF-8, or an escaped UTF-16
// surrogate without its pair ("\ud800"). encoding/json reads each as
// U+FFFD, so "dave\xff" and "dave\xfe", two subjects to the issuer, would
// be one identity to Warden; other parsers keep the bytes or refuse.
// JSON text is UTF-8 (RFC 8259, section 8.1).
//
// Refusing leaves one reading. It runs on the raw token, before the
// signature is checked, and decodes only what jwt decodes next anyway.
func (v *Verifier) checkSegments(raw string) error {
	header, rest, ok := strings.Cut(raw, ".")
	claims, _, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 {
		return nil // jwt reports the malformed token
	}
	for _, seg := range [...]struct{ name, enc string }{{"header", header}, {"claims", claims}} {
		b, err := v.parser.DecodeSegment(seg.enc)
		if err != nil {
			return nil // as above
		}
		if !utf8.Valid(b) {
			return fmt.Errorf("%w: %s", ErrInvalidText, seg.name)
		}
		sc := scan(b)
		switch {
		case sc.dup != "":
			return fmt.Errorf("%w: %s member %q appears twice", ErrDuplicateMember, seg.name, sc.dup)
		case sc.loneSurrogate:
			return fmt.Errorf("%w: %s escapes a lone UTF-16 surrogate", ErrInvalidText, seg.name)
		}
	}
	return nil
}

// duplicateMember returns a member name that some object in the JSON
// value b has twice (nested objects included: a groups claim can be one
// level down, as Keycloak's realm_access.roles), or "". Names are compared
// as encoding/json reads them: unescaped ("\u0073ub" is "sub"), invalid
// UTF-8 as U+FFFD. It is a scanner rather than encoding/json's
// Decoder.Token, which allocates per token and would double the cost of a
// verification; malformed JSON is left to jwt, which refuses it next.
func duplicateMember(b []byte) string { return scan(b).dup }

// scan walks the JSON value b (see duplicateMember) and also notes lone
// surrogate escapes.
func scan(b []byte) dupScanner {
	sc := dupScanner{b: b}
	sc.value()
	return sc
}

// dupScanner walks one JSON value; dup is set, and the walk stops, at the
// first repeated name, and the walk also stops at malformed input.
// loneSurrogate is set when a string walked escapes a UTF-16 surrogate
// without its pair.
type dupScanner struct {
	b             []byte
	i             int
	depth         int
	dup           string
	stop          bool
	loneSurrogate bool
	// compares counts the names compared, for the tests.
	compares int
}

// maxNesting is how deep the scanner walks, encoding/json's own limit:
// deeper input is malformed to jwt as well.
const maxNesting = 10000

func (s *dupScanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *dupScanner) value() {
	s.ws()
	if s.i >= len(s.b) {
		s.stop = true
		return
	}
	if c := s.b[s.i]; c == '{' || c == '[' {
		// The walk recurses per level: without a bound, a token of a
		// few megabytes (WithMaxSize) nested deep enough would exhaust
		// the goroutine stack, a crash no recover catches, before its
		// signature is checked. encoding/json refuses deeper input too.
		if s.depth++; s.depth > maxNesting {
			s.stop = true
			return
		}
		defer func() { s.depth-- }()
	}
	switch s.b[s.i] {
	case '{':
		s.object()
	case '[':
		s.i++
		for !s.stop {
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ']' {
				s.i++
				return
			}
			s.value()
			s.ws()
			switch {
			case s.i < len(s.b) && s.b[s.i] == ',':
				s.i++
			case s.i < len(s.b) && s.b[s.i] == ']':
			default:
				s.stop = true
			}
		}
	case '"':
		s.str()
	default: // a number, true, false or null
		for s.i < len(s.b) && !strings.ContainsRune(",]} \t\n\r", rune(s.b[s.i])) {
			s.i++
		}
	}
}

// str skips a string and returns its raw contents and whether it has an
// escape.
func (s *dupScanner) str() (raw []byte, escaped bool) {
	start := s.i + 1
	for s.i++; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i++
			if s.i < len(s.b) && s.b[s.i] == 'u' {
				s.surrogate()
			}
		case '"':
			s.i++
			return s.b[start : s.i-1], escaped
		}
	}
	s.stop = true
	return nil, false
}

// surrogate checks the \u escape at s.i ('u'). A high surrogate must be
// followed by an escaped low one, which it then skips; any other
// surrogate is lone. Malformed hex is left to jwt.
func (s *dupScanner) surrogate() {
	r, ok := hex4(s.b, s.i+1)
	switch {
	case !ok || r < 0xD800 || r > 0xDFFF:
	case r < 0xDC00 && s.i+10 < len(s.b) && s.b[s.i+5] == '\\' && s.b[s.i+6] == 'u':
		if lo, ok := hex4(s.b, s.i+7); ok && lo >= 0xDC00 && lo <= 0xDFFF {
			s.i += 10 // the pair's last hex digit
			return
		}
		s.loneSurrogate = true
	default:
		s.loneSurrogate = true
	}
}

// hex4 reads the four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (s *dupScanner) object() {
	var names [16][]byte // typical claims fit: no allocation for the list
	seen := names[:0]
	// set holds the names once there are more than fit in names: the
	// scan runs before the signature is checked, and comparing each name
	// with every earlier one made a forged object of many short names
	// cost quadratic time.
	var set map[string]struct{}
	s.i++
	for !s.stop {
		s.ws()
		if s.i >= len(s.b) {
			s.stop = true
			return
		}
		if s.b[s.i] == '}' && len(seen) == 0 {
			s.i++
			return
		}
		if s.b[s.i] != '"' {
			s.stop = true
			return
		}
		start := s.i
		name, escaped := s.str()
		if s.stop {
			return
		}
		if escaped || !utf8.Valid(name) { // rare: compare the name as encoding/json reads it
			var u string
			if err := json.Unmarshal(s.b[start:s.i], &u); err != nil {
				s.stop = true
				return
			}
			name = []byte(u)
		}
		if set != nil {
			s.compares++
			if _, dup := set[string(name)]; dup {
				s.dup, s.stop = string(name), true
				return
			}
			set[string(name)] = struct{}{}
		} else {
			for _, n := range seen {
				s.compares++
				if bytes.Equal(n, name) {
					s.dup, s.stop = string(name), true
					return
				}
			}
			if seen = append(seen, name); len(seen) > len(names) {
				set = make(map[string]struct{}, 2*len(seen))
				for _, n := range seen {
					set[string(n)] = struct{}{}
				}
			}
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			s.stop = true
			return
		}
		s.i++
		s.value()
		s.ws()
		switch {
		case s.i < len(s.b) && s.b[s.i] == ',':
			s.i++
		case s.i < len(s.b) && s.b[s.i] == '}':
			s.i++
			return
		default:
			s.stop = true
		}
	}
}
