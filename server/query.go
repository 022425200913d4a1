package server

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wardenhq/warden/middleware"
)

// wholeQuery refuses, on every route and before any other handler, a raw
// query string that net/url would not read whole. url.ParseQuery skips a
// pair holding ";" or a bad %-escape and drops every pair beyond its limit
// (it reports an error that r.URL.Query() discards), so "?x=1;scope=admin"
// would reach a handler as no query at all: the change meant for the admin
// policy would be applied to the served one. It also refuses names and
// values that decode to invalid UTF-8 or control characters, which no
// parameter of the API takes and which compare unlike what a log shows.
func wholeQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkRawQuery(r.URL.RawQuery); err != nil {
			// Bad input is the caller's own to see, whatever its rights.
			middleware.MarkChecked(r.Context())
			writeInputError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkRawQuery returns a fieldError for the first pair of raw that
// url.ParseQuery would not read as written.
func checkRawQuery(raw string) error {
	if raw == "" {
		return nil
	}
	for i, pair := range strings.Split(raw, "&") {
		at := "query pair " + strconv.Itoa(i+1)
		if strings.Contains(pair, ";") {
			return invalid("query", "%s: \";\" does not separate parameters; use \"&\" (a \";\" pair is dropped by the parser, so it is refused)", at)
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return invalid("query", "%s: the name has an invalid %%-escape", at)
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return invalid(fieldName(name), "%s: the value has an invalid %%-escape", at)
		}
		if bad(name) {
			return invalid("query", "%s: the name holds invalid UTF-8 or a control character", at)
		}
		if bad(value) {
			return invalid(fieldName(name), "%s: the value holds invalid UTF-8 or a control character", at)
		}
	}
	// Whatever else the parser refuses (too many pairs, say) is refused too.
	if _, err := url.ParseQuery(raw); err != nil {
		return invalid("query", "the query string cannot be read whole")
	}
	return nil
}

// fieldName is name as the field of an error: a parameter's name, or
// "query" when it is empty or too long to be any parameter's.
func fieldName(name string) string {
	if name == "" || len(name) > 64 || bad(name) {
		return "query"
	}
	return name
}

func bad(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl)
}

// strictQuery refuses a query parameter h does not read, or one given
// twice, with 400 naming it: a misspelt ?Scope=admin must not silently
// change the served policy instead of the admin one.
func strictQuery(h http.HandlerFunc, known ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := checkQuery(r, known); err != nil {
			// Bad input is the caller's own to see, whatever its rights.
			middleware.MarkChecked(r.Context())
			writeInputError(w, r, err)
			return
		}
		h(w, r)
	}
}

func checkQuery(r *http.Request, known []string) error {
	q := r.URL.Query()
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names) // the same answer for the same request
	for _, name := range names {
		switch {
		case !slices.Contains(known, name):
			if len(known) == 0 {
				return invalid(name, "unknown query parameter: this endpoint takes none")
			}
			return invalid(name, "unknown query parameter (known: %s)", strings.Join(known, ", "))
		case len(q[name]) > 1:
			return invalid(name, "give this query parameter once")
		}
	}
	return nil
}
