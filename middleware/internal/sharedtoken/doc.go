// Package sharedtoken lets package middleware use the verified token that
// token.Verifier keeps in its cache without copying it on every request.
//
// token.Verifier.Verify hands each caller a deep copy of a cached token, so
// that code which modifies its token cannot change what the next request
// presenting the same raw token is handed. The copy costs about half a
// microsecond and six allocations, on every request. The middleware itself
// only reads the token, so it takes the cache's own copy through Verify
// here, and makes the request's private copy (Clone) only when code that
// might modify it asks for it: User.Claims, User.Token, or a provider that
// does not declare that it only reads (Reader).
//
// Only packages under middleware can import this package, so nothing
// outside this module can obtain a shared token or claim to be a Reader.
package sharedtoken
