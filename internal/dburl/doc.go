// Package dburl reads database addresses only as far as Warden must to choose
// a driver and to print one safely: it finds the scheme, and it redacts the
// credentials wherever an address, or an error that may quote one, is
// shown. A DSN often holds a password, and a mistyped one ends up in
// terminals, CI logs and bug reports; the password must not come with it.
package dburl
