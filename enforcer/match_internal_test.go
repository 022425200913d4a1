package enforcer

import (
	"fmt"
	"testing"

	"github.com/casbin/casbin/v2/util"
)

// TestKeyMatch4IsCasbins: keyMatch4 over the bounded cache answers as
// util.KeyMatch4 does — match, no match, or failure (Casbin panics) — on a
// grid of patterns and keys, including repeated names and patterns with
// groups of their own.
func TestKeyMatch4IsCasbins(t *testing.T) {
	patterns := []string{"/a/{id}", "/{x}/{x}", "/{x}/{y}", "/a/*", "/a/{id}/b/{id}", "/a/{id}/(b)", "/a/(", "/p/{a}/{b}/{a}", "/", "", "{x}", "/a/{id}.json"}
	keys := []string{"/a/1", "/q/q", "/q/r", "/a/1/b/1", "/a/1/b/2", "/a/1/b", "/", "", "x", "/p/1/2/1", "/p/1/2/3", "/a/1.json", "/a/b/c"}
	casbin := func(k, p string) (ok bool, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		return util.KeyMatch4(k, p), nil
	}
	for _, p := range patterns {
		for _, k := range keys {
			want, werr := casbin(k, p)
			got, gerr := keyMatch4(k, p)
			if got != want || (gerr != nil) != (werr != nil) {
				t.Errorf("keyMatch4(%q, %q) = %v, %v; Casbin %v, %v", k, p, got, gerr, want, werr)
			}
			res, ferr := keyMatch4Func(k, p)
			if res != got || (ferr != nil) != (gerr != nil) {
				t.Errorf("keyMatch4Func(%q, %q) = %v, %v", k, p, res, ferr)
			}
		}
	}
	if _, err := keyMatch4Func("a"); err == nil {
		t.Error("keyMatch4Func with one argument: no error")
	}
	if _, err := keyMatch4Func("a", 1); err == nil {
		t.Error("keyMatch4Func with a number: no error")
	}
}
