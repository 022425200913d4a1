// Package timeout bounds each provider fetch, so that a hung database or API
// turns into an error (and a denied request) instead of a hung request.
package timeout
