// Package claims provides groups and permissions read from the claims of a
// verified token, with no I/O: Cognito's "cognito:groups", Keycloak's
// "realm_access.roles" and "resource_access.<client>.roles", Auth0's
// "permissions", and OAuth2 "scope"/"scp".
//
// # Claim paths
//
// A path is a list of keys into nested JSON objects. In the string form
// accepted by WithGroupsClaim, keys are separated by '.', and a key that
// itself contains a dot is written with the dot escaped as `\.`
// ("https://example\.com/roles"); a backslash is written `\\`. A colon has no
// meaning, so "cognito:groups" is one key. Path builds a path from keys
// taken verbatim, which avoids escaping altogether.
//
// # Values
//
// A claim may be a JSON list of strings or one string of names separated by
// spaces or commas. Empty names and repeats are dropped. A claim of any other
// shape (a number, an object, a list holding a number) is an error, never an
// empty answer: the middleware denies rather than guessing.
//
// # Scopes are not groups
//
// A scope such as "api/admin" says what the client may ask for, not who the
// caller is, so scopes never become groups unless WithScopeGroups is given a
// non-empty prefix, and then only scopes that start with it do, with the
// prefix removed.
package claims
