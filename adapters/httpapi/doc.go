// Package httpapi asks an HTTP service for a caller's groups and
// permissions:
//
//	GET {base}/users/{identity}/groups       -> ["editors", "staff"]
//	GET {base}/users/{identity}/permissions  -> ["read:posts"]
//
// Requests carry "Authorization: Bearer {api key}" (the service's key, never
// the caller's token), the identity is path-escaped so that "../admin" or
// "a/b" stays one path segment, every request has a timeout, and the
// response is bounded in size. Anything but a 2xx status with a JSON list of
// strings is an error, so the decision denies.
//
// Wrap the client in cache, retry and breaker for production use; see
// examples/custom-provider.
package httpapi
