package enforcer

import (
	"regexp"
	"strings"
	"sync"
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
