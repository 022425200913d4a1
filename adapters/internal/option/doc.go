// Package option checks the values given to the wrappers' functional
// options (cache, retry, timeout, breaker), so that every wrapper refuses a
// value it cannot use with the same kind of error, warden.ErrInvalid,
// instead of quietly putting a default in its place.
package option
