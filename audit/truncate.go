package audit

import (
	"strings"
	"unicode/utf8"
)

// Column sizes of Entry, in characters (PostgreSQL and MySQL count
// characters in varchar(n); SQLite does not enforce them).
const (
	ActorSize      = 500
	ActionSize     = 32
	ScopeSize      = 32
	SourceSize     = 16
	RemoteAddrSize = 128
	RequestIDSize  = 128
)

// TruncationMark ends a value cut to fit its column.
const TruncationMark = "…(truncated)"

// fitColumns cuts the sized columns of e to their size, marking each cut
// value with TruncationMark, and replaces invalid UTF-8 and NUL in every
// text column, which PostgreSQL refuses: what is stored, and hashed, is the
// same on every database.
func fitColumns(e Entry) Entry {
	for _, v := range []*string{&e.Rules, &e.Before, &e.After, &e.Error, &e.Note} {
		*v = storable(*v)
	}
	for _, f := range []struct {
		v    *string
		size int
	}{
		{&e.Actor, ActorSize}, {&e.Action, ActionSize}, {&e.Scope, ScopeSize},
		{&e.Source, SourceSize}, {&e.RemoteAddr, RemoteAddrSize}, {&e.RequestID, RequestIDSize},
	} {
		*f.v = truncate(*f.v, f.size)
	}
	return e
}

// truncate returns s when it has at most n characters, else its first
// characters followed by TruncationMark, n characters in all.
func truncate(s string, n int) string {
	s = storable(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	keep := n - utf8.RuneCountInString(TruncationMark)
	i := 0
	for k := range s {
		if keep == 0 {
			i = k
			break
		}
		keep--
	}
	return s[:i] + TruncationMark
}

// storable replaces invalid UTF-8 and NUL with U+FFFD.
func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
