package enforcer

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2/util"
)

// Casbin's keyMatch2/3/5 and regexMatch compile a regular expression on
// every call, which costs tens of microseconds and dozens of allocations per
// candidate rule. These versions build the very same expression from the
// pattern but compile it once; the result is Casbin's by construction.

var (
	keyMatch2Re = regexp.MustCompile(`:[^/]+`)
	keyMatch3Re = regexp.MustCompile(`\{[^/]+\}`)
)

// regexCache maps a pattern to its compiled form. It is bounded: a matcher
// that takes patterns from requests rather than from the policy must not
// grow it without limit, so past maxCached patterns new ones are compiled
// per call as Casbin does.
type regexCache struct {
	mu      sync.RWMutex
	m       map[string]*regexp.Regexp
	convert func(pattern string) string
}

const maxCached = 1 << 14

func (c *regexCache) get(pattern string) (*regexp.Regexp, error) {
	c.mu.RLock()
	re, ok := c.m[pattern]
	c.mu.RUnlock()
	if ok {
		return re, nil
	}
	re, err := regexp.Compile(c.convert(pattern))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) < maxCached {
		c.m[pattern] = re
	}
	c.mu.Unlock()
	return re, nil
}

func (c *regexCache) match(key, pattern string) (bool, error) {
	re, err := c.get(pattern)
	if err != nil {
		return false, err
	}
	return re.MatchString(key), nil
}

func newRegexCache(convert func(string) string) *regexCache {
	return &regexCache{m: map[string]*regexp.Regexp{}, convert: convert}
}

var (
	regexMatchCache = newRegexCache(func(p string) string { return p })
	keyMatch2Cache  = newRegexCache(func(p string) string {
		p = strings.ReplaceAll(p, "/*", "/.*")
		return "^" + keyMatch2Re.ReplaceAllString(p, "$1[^/]+$2") + "$"
	})
	keyMatch3Cache = newRegexCache(func(p string) string {
		p = strings.ReplaceAll(p, "/*", "/.*")
		return "^" + keyMatch3Re.ReplaceAllString(p, "$1[^/]+$2") + "$"
	})
)

func regexMatch(key, pattern string) (bool, error) { return regexMatchCache.match(key, pattern) }
func keyMatch2(key, pattern string) (bool, error)  { return keyMatch2Cache.match(key, pattern) }
func keyMatch3(key, pattern string) (bool, error)  { return keyMatch3Cache.match(key, pattern) }

// keyMatch5 is keyMatch3 on the path without its query string.
func keyMatch5(key, pattern string) (bool, error) {
	if i := strings.IndexByte(key, '?'); i >= 0 {
		key = key[:i]
	}
	return keyMatch3Cache.match(key, pattern)
}

// Casbin's KeyMatch4, KeyGet2 and KeyGet3 compile through a process-wide
// cache that never forgets a pattern: with patterns from requests it would
// grow without bound, and even rules long removed stay in it. A request
// can bring patterns of its own without passing one as a request value: a
// request-scoped policy's eval() text, such as keyGet2(r.obj, '/t/:id',
// 'id') == '7', is evaluated by govaluate with these functions. keyMatch4,
// keyGet2 and keyGet3 are Casbin's functions over this package's bounded
// caches instead; they are used by the compiled matchers (keyMatch4), by
// govaluate, eval() texts included, and by role matching functions given
// as keyMatch4. The embedded Casbin enforcer keeps Casbin's own: its
// AddFunction never replaces a function it has (functions.go), so a model
// that Casbin decides still fills Casbin's cache.

var keyMatch4Re = regexp.MustCompile(`{([^/]+)}`)

var keyMatch4Cache = newRegexCache(func(p string) string {
	p = strings.ReplaceAll(p, "/*", "/.*")
	return "^" + keyMatch4Re.ReplaceAllString(p, "([^/]+)") + "$"
})

// keyMatch4 is util.KeyMatch4: keyMatch3 where repeated {name}s must
// match the same text.
func keyMatch4(key, pattern string) (bool, error) {
	re, err := keyMatch4Cache.get(pattern)
	if err != nil {
		return false, err
	}
	m := re.FindStringSubmatch(key)
	if m == nil {
		return false, nil
	}
	m = m[1:]
	tokens := keyMatch4Re.FindAllStringSubmatch(strings.ReplaceAll(pattern, "/*", "/.*"), -1)
	if len(tokens) != len(m) {
		return false, errors.New("KeyMatch4: number of tokens is not equal to number of values")
	}
	values := make(map[string]string, len(tokens))
	for i, t := range tokens {
		if v, ok := values[t[1]]; ok && v != m[i] {
			return false, nil
		} else if !ok {
			values[t[1]] = m[i]
		}
	}
	return true, nil
}

// keyMatch4Func is keyMatch4 as a govaluate function, with the argument
// checks of util.KeyMatch4Func.
func keyMatch4Func(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("keyMatch4: expected 2 arguments, but got %d", len(args))
	}
	key, ok1 := args[0].(string)
	pattern, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return false, errors.New("keyMatch4: argument must be a string")
	}
	return keyMatch4(key, pattern)
}

// boolFuncs are Casbin's string matching functions: Casbin's own, or (see
// match.go) the same expressions compiled once.
var boolFuncs = map[string]func(a, b string) (bool, error){
	"keyMatch":   plain(util.KeyMatch),
	"keyMatch2":  keyMatch2,
	"keyMatch3":  keyMatch3,
	"keyMatch4":  keyMatch4,
	"keyMatch5":  keyMatch5,
	"regexMatch": regexMatch,
	"ipMatch":    plain(util.IPMatch),
	"globMatch":  util.GlobMatch,
}

func plain(f func(a, b string) bool) func(a, b string) (bool, error) {
	return func(a, b string) (bool, error) { return f(a, b), nil }
}

// keyGet3Re is Casbin's keyGet3Re1: {name}, matched without greed.
var keyGet3Re = regexp.MustCompile(`\{[^/]+?\}`)

var (
	keyGet2Cache = newRegexCache(func(p string) string {
		p = strings.ReplaceAll(p, "/*", "/.*")
		return "^" + keyMatch2Re.ReplaceAllString(p, "$1([^/]+)$2") + "$"
	})
	keyGet3Cache = newRegexCache(func(p string) string {
		p = strings.ReplaceAll(p, "/*", "/.*")
		return "^" + keyGet3Re.ReplaceAllString(p, "$1([^/]+?)$2") + "$"
	})
)

// keyGet is util.KeyGet2 (names like :id, found by nameRe, trimmed to id
// by name) and util.KeyGet3 ({id}) over cache c: the text of key that
// pattern's variable pathVar matches, or "". A pattern that is no regular
// expression fails, where Casbin's MustCompile panics.
func keyGet(c *regexCache, nameRe *regexp.Regexp, name func(string) string, key, pattern, pathVar string) (string, error) {
	re, err := c.get(pattern)
	if err != nil {
		return "", err
	}
	values := re.FindAllStringSubmatch(key, -1)
	if len(values) == 0 {
		return "", nil
	}
	for i, k := range nameRe.FindAllString(strings.ReplaceAll(pattern, "/*", "/.*"), -1) {
		if pathVar == name(k) {
			return values[0][i+1], nil
		}
	}
	return "", nil
}

// keyGetFunc is keyGet as a govaluate function, with the argument checks
// of util.KeyGet2Func and util.KeyGet3Func.
func keyGetFunc(fn string, c *regexCache, nameRe *regexp.Regexp, name func(string) string) func(args ...any) (any, error) {
	return func(args ...any) (any, error) {
		if len(args) != 3 {
			return false, fmt.Errorf("%s: expected 3 arguments, but got %d", fn, len(args))
		}
		var s [3]string
		for i, a := range args {
			v, ok := a.(string)
			if !ok {
				return false, fmt.Errorf("%s: argument must be a string", fn)
			}
			s[i] = v
		}
		return keyGet(c, nameRe, name, s[0], s[1], s[2])
	}
}

var (
	keyGet2Func = keyGetFunc("keyGet2", keyGet2Cache, keyMatch2Re, func(k string) string { return k[1:] })
	keyGet3Func = keyGetFunc("keyGet3", keyGet3Cache, keyGet3Re, func(k string) string { return k[1 : len(k)-1] })
)
