package sqliteregexp

import (
	"database/sql/driver"
	"fmt"
	"regexp"
	"sync"

	sqlite "github.com/glebarez/go-sqlite"
	lru "github.com/hashicorp/golang-lru/v2"
)

// FunctionName is the SQL function Register adds: regexp(pattern, value),
// which is also what SQLite's "value REGEXP pattern" operator calls.
const FunctionName = "regexp"

// cacheSize bounds the compiled patterns kept: a plan's patterns come from
// the policy, but the function is callable by any query on the connection.
const cacheSize = 1024

var (
	once    sync.Once
	errOnce error
	cache   *lru.Cache[string, *regexp.Regexp]
)

// Register adds regexp(pattern, value) to the SQLite driver. Connections
// opened afterwards have it (the driver registers functions per new
// connection), so call it before opening the database, typically in main
// or in the function that opens it. It is safe to call more than once.
//
// The function returns 1 when Go's regexp.MatchString(pattern, value)
// holds, 0 when not, NULL when either argument is NULL, and fails the
// query on a pattern Go cannot compile.
func Register() error {
	once.Do(func() {
		cache, errOnce = lru.New[string, *regexp.Regexp](cacheSize)
		if errOnce != nil {
			return
		}
		errOnce = sqlite.RegisterDeterministicScalarFunction(FunctionName, 2, match)
	})
	return errOnce
}

func match(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	pattern, ok := text(args[0])
	if !ok {
		return nil, nil
	}
	value, ok := text(args[1])
	if !ok {
		return nil, nil
	}
	re, ok := cache.Get(pattern)
	if !ok {
		var err error
		if re, err = regexp.Compile(pattern); err != nil {
			return nil, fmt.Errorf("regexp: %v", err)
		}
		cache.Add(pattern, re)
	}
	if re.MatchString(value) {
		return int64(1), nil
	}
	return int64(0), nil
}

// text reads a TEXT or BLOB argument; any other type (NULL, a number) is
// not text and matches nothing.
func text(v driver.Value) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case []byte:
		return string(v), true
	}
	return "", false
}
