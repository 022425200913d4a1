package warden

// Token is a verified bearer token as providers see it. The middleware builds
// it only after the signature and the registered claims have been checked, so
// a provider may trust Claims but must treat every value as caller-chosen data
// (it is still attacker-controlled text, only authenticated).
type Token struct {
	// Raw is the encoded token. Providers must never log it or use it as a
	// cache key: identity, not credential, keys a cache.
	Raw string
	// Header is the decoded JOSE header.
	Header map[string]any
	// Claims are the decoded claims.
	Claims map[string]any
	// Identity is the caller's id, taken from the configured identity
	// claim ("sub" by default; see adapters.IdentityFromClaims).
	Identity string
}
