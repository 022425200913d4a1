package dburl

import (
	"net/url"
	"strings"
)

// Mask replaces a password wherever one is shown, as pgx and net/url do.
const Mask = "xxxxx"

// Scheme returns the URL scheme of s ("postgres" of "postgres://..."), as
// written, and whether s starts with one. A scheme is a letter, then
// letters, digits, "+", "-" or ".", then ":" (RFC 3986, section 3.1). A
// single letter is not taken for one: "C:\db" is a Windows path.
// "user:pass@host" starts with one too ("user"): callers that name the
// scheme in a message check first that "//" follows (Named).
func Scheme(s string) (string, bool) {
	i := strings.IndexByte(s, ':')
	if i < 2 {
		return "", false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", false
		}
	}
	return s[:i], true
}

// Named reports whether the scheme of s may be shown: it is followed by
// "//" (or by "/"), so it cannot be the user name of a
// "user:password@host" address.
func Named(s string) bool {
	scheme, ok := Scheme(s)
	return ok && strings.HasPrefix(s[len(scheme)+1:], "/")
}

// MissingColon reports whether s starts like a URL whose scheme lost its
// ":" ("postgres//u:p@h/db"): a scheme-shaped name of two or more
// characters, then "//". No SQLite path a user means starts so; read as
// one, the address would name a file after its password.
func MissingColon(s string) bool {
	i := strings.Index(s, "//")
	if i < 2 || strings.IndexByte(s[:i], ':') >= 0 {
		return false
	}
	_, ok := Scheme(s[:i] + ":")
	return ok
}

// Password returns the password that s carries as written, or "" when it
// carries none: the part of a URL's authority between the first ":" and the last
// "@" ("scheme://user:password@host/..."), or the same in a driver form
// without a scheme ("user:password@tcp(host)/db", the MySQL driver's). A
// password may hold "@", "/" and ":" unescaped (drivers accept them), so
// the last "@" before the host ends it. A "/" before the ":" ends the
// user information (RFC 3986 allows none in it, and no user name has
// one): "./data/a:b@c.db" is a file path, without a password.
func Password(s string) string {
	from, to := password(s)
	return s[from:to]
}

// password returns where the password of s starts and ends (from == to
// when there is none).
func password(s string) (from, to int) {
	start := 0
	if scheme, ok := Scheme(s); ok && strings.HasPrefix(s[len(scheme)+1:], "//") {
		start = len(scheme) + 3
	}
	rest := s[start:]
	at := lastAt(rest)
	if at < 0 {
		return 0, 0
	}
	colon := strings.IndexByte(rest[:at], ':')
	if colon < 0 || strings.IndexByte(rest[:colon], '/') >= 0 {
		return 0, 0
	}
	return start + colon + 1, start + at
}

// lastAt returns the index of the "@" that ends the user information of
// rest, or -1: the last "@" before the query or fragment, since a path or
// a query may hold "@" of its own only after the authority (a password
// with "?" or "#" unescaped is taken as far as those).
func lastAt(rest string) int {
	end := len(rest)
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		end = i
	}
	return strings.LastIndexByte(rest[:end], '@')
}

// Redact returns s with its password replaced by Mask
// ("postgres://u:xxxxx@host/db"); s without a password is returned as it
// is.
func Redact(s string) string {
	from, to := password(s)
	if from == to {
		return s
	}
	return s[:from] + Mask + s[to:]
}

// Error returns err with every occurrence of the password of dsn in its
// text, as written and percent-decoded (what a driver saw), replaced by
// Mask, so that no driver, file system or network error quoting the
// address (or the password alone) shows it. A short password may mask
// more of the text than itself: the message reads worse, the password
// stays hidden. errors.Is and errors.As see through it to err. A nil err,
// or a dsn without a password, gives err itself.
func Error(err error, dsn string) error {
	pass := Password(dsn)
	if err == nil || pass == "" {
		return err
	}
	text := err.Error()
	forms := []string{pass}
	if dec, derr := url.PathUnescape(pass); derr == nil && dec != pass && dec != "" {
		forms = append(forms, dec)
	}
	masked := text
	for _, f := range forms {
		masked = strings.ReplaceAll(masked, f, Mask)
	}
	if masked == text {
		return err
	}
	return &redacted{err: err, text: masked}
}

type redacted struct {
	err  error
	text string
}

func (r *redacted) Error() string { return r.text }
func (r *redacted) Unwrap() error { return r.err }
