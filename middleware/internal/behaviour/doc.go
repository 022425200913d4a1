// Package behaviour is the behaviour table of the authentication pipeline:
// each case gives an Auth and an app (routes and their checks), sends one
// request, and says what must come back (status, headers, error code,
// whether the handler ran, the decision log). The tests of package
// middleware (net/http) and package echoware run every case through a real
// httptest server of their framework, so that the two frameworks cannot
// drift apart again: a case is one line, and it holds for both.
package behaviour
