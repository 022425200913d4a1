package middleware

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wardenhq/warden"
)

// ErrUnsafePath is wrapped when a request path, once decoded, holds what a
// policy pattern, a router and a handler read differently: a control
// character (C0, DEL, C1), a format character (bidi controls, zero-width
// characters), a line or paragraph separator (U+2028, U+2029), invalid
// UTF-8, a "?" or "#" (sent as %3F, %23), an empty segment (//) or a dot
// segment (. or ..). keyMatch2's "*" is a regular expression's ".*", which
// stops at a newline while ":id" takes it, so /posts/1%0A escaped a deny on
// /posts/* and reached a handler that read the id "1\n", which PostgreSQL
// and MariaDB read as 1. keyMatch5 reads a path only up to its first "?",
// so an allow on /files/public let /files/public%3Fx/secret through to a
// handler serving "public?x/secret"; "#" ends a path the same way for
// anything that parses it again as a URL. Such a request is refused (403),
// like an ambiguous one.
var ErrUnsafePath = warden.NewError(warden.ErrInvalid, "middleware: request path has characters or segments that policies and handlers read differently")

// CheckPath returns nil when u's path can be decided on: it is canonical
// (CanonicalPath, else ErrAmbiguousPath) and, decoded, safe (else
// ErrUnsafePath). Every mapper and guard of this package and of echoware
// calls it, so a path is refused the same way whichever check meets it
// first; custom mappers should call it too.
func CheckPath(u *url.URL) error {
	if !CanonicalPath(u) {
		return ErrAmbiguousPath
	}
	if !safePath(u.Path) {
		return ErrUnsafePath
	}
	return nil
}

// safePath reports whether p, a decoded path, starts with "/" and has no
// unsafe character, "?" or "#", empty inner segment or dot segment (see
// ErrUnsafePath).
func safePath(p string) bool {
	if !strings.HasPrefix(p, "/") || !utf8.ValidString(p) {
		return false
	}
	for _, r := range p {
		if unsafeRune(r) {
			return false
		}
	}
	for rest := p[1:]; ; {
		s, after, more := strings.Cut(rest, "/")
		switch {
		case s == "." || s == "..":
			return false
		case s == "" && more:
			return false // "//": only the last segment may be empty (/posts/)
		case !more:
			return true
		}
		rest = after
	}
}

// unsafeRune reports whether r may not appear in a path (see safePath):
// a control or format character, U+2028, U+2029, '?' or '#'. ASCII, the
// common case, is decided without the Unicode tables: no format
// character is ASCII, and its control characters are those below U+0020
// and U+007F (TestUnsafeRuneIsUnicodes checks every rune).
func unsafeRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r < 0x20 || r == 0x7f || r == '?' || r == '#'
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}
