package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/wardenhq/warden/middleware"
)

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
