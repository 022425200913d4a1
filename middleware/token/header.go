package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
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

// checkDuplicates refuses a token whose header or claims name a member
// twice. RFC 7515 (section 4) and RFC 7519 (section 4) let a recipient
// either refuse such a token or keep the last member, as encoding/json
// does; a gateway or a log pipeline in front of Warden may keep the first,
// and then {"sub":"alice","sub":"admin"} is a different caller to each.
// Refusing leaves one reading. It runs on the raw token, before the
// signature is checked, and decodes only what jwt decodes next anyway.
func (v *Verifier) checkDuplicates(raw string) error {
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
		if dup := duplicateMember(b); dup != "" {
			return fmt.Errorf("%w: %s member %q appears twice", ErrDuplicateMember, seg.name, dup)
		}
	}
	return nil
}

// duplicateMember returns a member name that some object in the JSON
// value b has twice (nested objects included: a groups claim can be one
// level down, as Keycloak's realm_access.roles), or "". Names are compared
// after unescaping, so "\u0073ub" is "sub". It is a scanner rather than
// encoding/json's Decoder.Token, which allocates per token and would double
// the cost of a verification; malformed JSON is left to jwt, which refuses
// it next.
func duplicateMember(b []byte) string {
	sc := dupScanner{b: b}
	sc.value()
	return sc.dup
}

// dupScanner walks one JSON value; dup is set, and the walk stops, at the
// first repeated name, and the walk also stops at malformed input.
type dupScanner struct {
	b    []byte
	i    int
	dup  string
	stop bool
}

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
		case '"':
			s.i++
			return s.b[start : s.i-1], escaped
		}
	}
	s.stop = true
	return nil, false
}

func (s *dupScanner) object() {
	var names [16][]byte // typical claims fit: no allocation for the list
	seen := names[:0]
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
		if escaped { // rare: compare the unescaped name
			var u string
			if err := json.Unmarshal(s.b[start:s.i], &u); err != nil {
				s.stop = true
				return
			}
			name = []byte(u)
		}
		for _, n := range seen {
			if bytes.Equal(n, name) {
				s.dup, s.stop = string(name), true
				return
			}
		}
		seen = append(seen, name)
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
