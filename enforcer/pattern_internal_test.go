package enforcer

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"
)

// casbinPatternFuncs are Casbin's own functions, the truth literalPrefix is
// held to.
var casbinPatternFuncs = map[string]func(key, pattern string) (bool, error){
	"keyMatch":   func(k, p string) (bool, error) { return util.KeyMatch(k, p), nil },
	"keyMatch2":  func(k, p string) (bool, error) { return util.KeyMatch2(k, p), nil },
	"keyMatch3":  func(k, p string) (bool, error) { return util.KeyMatch3(k, p), nil },
	"keyMatch4":  func(k, p string) (bool, error) { return util.KeyMatch4(k, p), nil },
	"keyMatch5":  func(k, p string) (bool, error) { return util.KeyMatch5(k, p), nil },
	"regexMatch": func(k, p string) (bool, error) { return util.RegexMatch(k, p), nil },
	"globMatch":  util.GlobMatch,
}

// checkPrefix fails when key matches pattern under fn but does not begin
// with the pattern's literal prefix, or matches an exact pattern without
// being equal to it. It reports whether key matched.
func checkPrefix(t *testing.T, fn, pattern, key string) bool {
	t.Helper()
	lit, exact, ok := literalPrefix(fn, pattern)
	if !ok {
		t.Fatalf("%s: no literal prefix", fn)
	}
	if !strings.HasPrefix(pattern, lit) && !(fn == "regexMatch" && strings.HasPrefix(pattern, "^"+lit)) {
		t.Fatalf("%s(%q): prefix %q is not the pattern's", fn, pattern, lit)
	}
	matched, err := safeMatch(casbinPatternFuncs[fn], key, pattern)
	if err != nil || !matched {
		return false
	}
	if !strings.HasPrefix(key, lit) {
		t.Fatalf("%s(%q, %q) matches, but the key does not begin with the literal prefix %q", fn, key, pattern, lit)
	}
	if exact && key != pattern && !(fn == "regexMatch" && "^"+key+"$" == pattern) {
		t.Fatalf("%s(%q, %q) matches, but the pattern was taken to match only itself", fn, key, pattern)
	}
	return true
}

// safeMatch turns the panics of Casbin's regular-expression functions on
// a pattern that does not compile into errors.
func safeMatch(f func(k, p string) (bool, error), key, pattern string) (ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			ok, err = false, errPanic
		}
	}()
	return f(key, pattern)
}

var errPanic = errorString("panic")

type errorString string

func (e errorString) Error() string { return string(e) }

// patternAlphabet holds what each function treats specially, and plain
// bytes around it.
var patternAlphabet = []string{
	"a", "b", "/", "/", "*", "**", "/*", "/**", ":id", "{id}", "?", ".", ".*", "+", "^", "$", "|", "(", ")",
	"[a-z]", "[", "]", "{a,b}", "{", "}", ",", "\\", "\\*", "é", "\xff", "-", "#", " ", "?q=1", "%",
}

// instance turns a pattern into a key it may match: wildcards become
// short strings, and the key is sometimes cut or extended.
func instance(r *rand.Rand, pattern string) string {
	var b strings.Builder
	fill := []string{"", "x", "ab", "a/b", "/", "é", "?q", "a"}
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '*' || c == '?' || c == '.' || c == '+':
			b.WriteString(fill[r.IntN(len(fill))])
		case c == ':' || c == '{':
			j := strings.IndexAny(pattern[i:], "/}")
			if j < 0 {
				j = len(pattern) - i - 1
			}
			i += j
			b.WriteString(fill[1+r.IntN(len(fill)-1)])
		case c == '^' || c == '$' || c == '\\' || c == '[' || c == ']' || c == '(' || c == ')':
			if r.IntN(2) == 0 {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	switch r.IntN(5) {
	case 0:
		if len(s) > 0 {
			s = s[:r.IntN(len(s))]
		}
	case 1:
		s += fill[r.IntN(len(fill))]
	}
	return s
}

func randomPattern(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(7); n > 0; n-- {
		b.WriteString(patternAlphabet[r.IntN(len(patternAlphabet))])
	}
	return b.String()
}

// TestLiteralPrefixHolds holds literalPrefix to Casbin's functions on
// generated patterns and keys: a key that a pattern matches begins with
// the pattern's literal prefix, and equals a pattern taken to match only
// itself. It also checks that the generated keys do match often, so that
// the property is not proved on misses alone.
func TestLiteralPrefixHolds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for fn := range casbinPatternFuncs {
		matched := 0
		for range 4000 {
			p := randomPattern(r)
			if fn == "regexMatch" && r.IntN(2) == 0 {
				p = "^" + p
				if r.IntN(2) == 0 {
					p += "$"
				}
			}
			for range 4 {
				if checkPrefix(t, fn, p, instance(r, p)) {
					matched++
				}
			}
		}
		t.Logf("%s: %d of 16000 generated keys matched", fn, matched)
		if matched < 1000 {
			t.Errorf("%s: only %d generated keys matched", fn, matched)
		}
	}
}

// TestLiteralPrefixCases pins the prefixes of typical patterns, so that
// the index keeps narrowing where it should.
func TestLiteralPrefixCases(t *testing.T) {
	cases := []struct {
		fn, pattern, lit string
		exact            bool
	}{
		{"keyMatch", "tenant1/*", "tenant1/", false},
		{"keyMatch", "tenant1", "tenant1", true},
		{"keyMatch", "*", "", false},
		{"keyMatch2", "/users/:id/posts", "/users/", false},
		{"keyMatch2", "/posts/*", "/posts/", false},
		{"keyMatch2", "/posts", "/posts", true},
		{"keyMatch2", "a|b", "", false},
		{"keyMatch3", "/users/{id}", "/users/", false},
		{"keyMatch3", "/a:b", "/a:b", true},
		{"keyMatch4", "/x/{a}/{a}", "/x/", false},
		{"keyMatch5", "/posts", "/posts", false},
		{"regexMatch", "^/posts/[0-9]+$", "/posts/", false},
		{"regexMatch", "^GET$", "GET", true},
		{"regexMatch", "^GE?T", "G", false},
		{"regexMatch", "GET", "", false},
		{"regexMatch", "^(GET)|(POST)", "", false},
		{"globMatch", "tenant1.example/*", "tenant1.example", false},
		{"globMatch", "a/**", "a", false},
		{"globMatch", "a/b", "a/b", true},
		{"globMatch", "a{b,c}", "a", false},
	}
	for _, c := range cases {
		lit, exact, _ := literalPrefix(c.fn, c.pattern)
		if lit != c.lit || exact != c.exact {
			t.Errorf("%s(%q): prefix %q exact %v, want %q %v", c.fn, c.pattern, lit, exact, c.lit, c.exact)
		}
	}
}

// FuzzLiteralPrefix explores patterns and keys beyond the generated ones:
// go test -run '^$' -fuzz FuzzLiteralPrefix ./enforcer
func FuzzLiteralPrefix(f *testing.F) {
	f.Add(uint8(0), "tenant1/*", "tenant1/x")
	f.Add(uint8(1), "/users/:id", "/users/7")
	f.Add(uint8(5), "^GET$", "GET")
	f.Add(uint8(6), "a/**", "a")
	names := []string{"keyMatch", "keyMatch2", "keyMatch3", "keyMatch4", "keyMatch5", "regexMatch", "globMatch"}
	f.Fuzz(func(t *testing.T, which uint8, pattern, key string) {
		if len(pattern) > 64 || len(key) > 64 {
			return
		}
		checkPrefix(t, names[int(which)%len(names)], pattern, key)
	})
}

// TestCompileFindsThePatternField pins which conjunct the index takes as
// its pattern field: the first fn(r.X, p.F) of a pattern function on a
// field that no equality or role term already looks up.
func TestCompileFindsThePatternField(t *testing.T) {
	cases := []struct {
		matcher string
		want    string // "fn rField pField" or ""
	}{
		{"g(r.sub, p.sub, r.dom) && keyMatch(r.dom, p.dom) && keyMatch(r.obj, p.obj) && regexMatch(r.act, p.act)", "keyMatch 1 1"},
		{"g(r.sub, p.sub, r.dom) && r.dom == p.dom && keyMatch2(r.obj, p.obj)", "keyMatch2 2 2"},
		{"g(r.sub, p.sub, r.dom) && keyMatch(r.dom, p.dom) && r.dom == p.dom && globMatch(r.act, p.act)", "globMatch 3 3"},
		{"g(r.sub, p.sub, r.dom) && (keyMatch(r.dom, p.dom) || r.dom == p.dom)", ""},
		{"g(r.sub, p.sub, r.dom) && keyMatch(p.dom, r.dom)", ""},
		{"g(r.sub, p.sub, r.dom) && ipMatch(r.obj, p.obj)", ""},
		{"keyMatch(r.sub, p.sub) && r.obj == p.obj", "keyMatch 0 0"},
		{"g(r.sub, p.sub, r.dom) && keyMatch(r.sub, p.sub)", ""},
	}
	for _, c := range cases {
		m, err := model.NewModelFromString(`[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = ` + c.matcher)
		if err != nil {
			t.Fatal(err)
		}
		cm, reason := compile(m, &options{})
		if cm == nil {
			t.Fatalf("%s: not compiled: %s", c.matcher, reason)
		}
		got := ""
		if cm.pat != nil {
			got = fmt.Sprintf("%s %d %d", cm.pat.fn, cm.pat.rField, cm.pat.pField)
		}
		if got != c.want {
			t.Errorf("%s: pattern field %q, want %q", c.matcher, got, c.want)
		}
	}
}
