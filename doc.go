// Package warden holds the vocabulary every layer of Warden shares and
// nothing else: the verified token providers see (Token), the one provider
// shape (Provider, known by its two roles GroupsProvider and
// PermissionsProvider) and the error taxonomy (ErrInvalid, ErrUnauthenticated,
// ErrForbidden, ErrUnavailable) that the middleware maps to HTTP statuses.
//
// It imports only the standard library, so that any package can depend on it
// without pulling a token library, Casbin or a database driver: the import
// layer test (layers_test.go) keeps it that way. The enforcer lives in package
// enforcer, the HTTP middleware in package middleware and the providers in
// the sub-packages of adapters.
package warden
