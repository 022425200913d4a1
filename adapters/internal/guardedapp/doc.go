// Package guardedapp is test support for the provider wrappers: a real
// HTTP service whose one route lets editors through, so that a wrapper's
// tests see its answers as a caller does (status codes through the real
// middleware), not as return values. No production package imports it.
package guardedapp
