package middleware

import "github.com/wardenhq/warden"

// TokenState returns, for the tests, the token u reads and whether u made
// the request's own copy of it.
func TokenState(u *User) (read *warden.Token, copied bool) {
	u.ownMu.Lock()
	defer u.ownMu.Unlock()
	return u.tok, u.owned != nil
}
