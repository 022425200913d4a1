package token

// CacheLen is the number of verified tokens v keeps, for the tests.
func CacheLen(v *Verifier) int { return v.cache.len() }
