package attacktest

import (
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"
	"unicode"

	"github.com/casbin/casbin/v2"
)

// Oracle is plain Casbin with conf/model.conf, IssuePolicy, and dave in
// viewer (the group a viewer's token carries, as a stored g rule): what the
// decision on a path must be.
func Oracle(t testing.TB) *casbin.Enforcer {
	t.Helper()
	e, err := casbin.NewEnforcer(ModelPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range IssuePolicy {
		if r.PType == "g" {
			_, err = e.AddGroupingPolicy(r.Values)
		} else {
			_, err = e.AddPolicy(r.Values)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.AddGroupingPolicy("dave", "viewer"); err != nil {
		t.Fatal(err)
	}
	return e
}

// Lenient is the path a lenient reader makes of target: the decoded path
// without invalid UTF-8, control, format or space characters, cleaned of
// dot segments and empty segments, the way a database that reads "1\n" as
// 1 or a file server that cleans paths sees it. ok is false when target is
// no request-target at all.
func Lenient(target string) (p string, ok bool) {
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return "", false
	}
	p = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(u.Path, ""))
	return path.Clean("/" + p), true
}

// Subjects are the callers of the fuzz property and the suite, with the
// claims of their tokens besides iss, aud and times.
var Subjects = []struct {
	Name   string
	Groups []string
}{{"carol", nil}, {"dave", []string{"viewer"}}}

// CheckNoBypass sends target as every subject to the server at addr and
// fails when a subject is allowed (200) where plain Casbin denies it the
// lenient form of the path. tokens maps subject names to bearer tokens.
func CheckNoBypass(t *testing.T, oracle *casbin.Enforcer, addr string, tokens map[string]string, target string) {
	t.Helper()
	if len(target) > 4096 || strings.ContainsAny(target, "\r\n") {
		return // not one request line: no request to send
	}
	for _, s := range Subjects {
		status, body := Send(t, addr, target, http.Header{"Authorization": {"Bearer " + tokens[s.Name]}})
		if status != http.StatusOK {
			continue
		}
		p, ok := Lenient(target)
		if !ok {
			t.Errorf("%s: %q allowed, but it is no request-target", s.Name, target)
			continue
		}
		allowed, err := oracle.Enforce(s.Name, p, "GET")
		if err != nil {
			t.Fatal(err)
		}
		if !allowed {
			t.Errorf("%s: %q allowed (handler read id %q), but Casbin denies its lenient form %q", s.Name, target, body, p)
		}
	}
}
