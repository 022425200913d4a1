package middleware

import "github.com/wardenhq/warden"

// TokenState returns, for the tests, the token u reads and whether u made
// the request's own copy of it.
func TokenState(u *User) (read *warden.Token, copied bool) {
	o := u.owned.Load()
	return u.tok, o != nil && o != u.tok
}
