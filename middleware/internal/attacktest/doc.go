// Package attacktest holds the attack suites of the path and token edges,
// shared by the tests of package middleware (net/http) and package
// echoware, so that both frameworks answer every case the same way. A case
// is one line of a table: add a line to attack both.
package attacktest
