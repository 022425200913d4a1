package flow

import "net/http"

// Exchange is one request as a framework sees it. The pipeline calls its
// methods only while Runner.Run runs, from Run's goroutine; it does not keep
// the Exchange afterwards, so an adapter may reuse it.
type Exchange interface {
	// Request returns the request as it stands.
	Request() *http.Request
	// SetRequest replaces the request: the pipeline adds its per-request
	// state to the context once.
	SetRequest(r *http.Request)
	// ResponseWriter is where refusals are written.
	ResponseWriter() http.ResponseWriter
	// Writer and SetWriter get and replace the writer beneath the
	// framework's response; strict mode wraps it.
	Writer() http.ResponseWriter
	SetWriter(w http.ResponseWriter)
	// Route is the path of the route that serves the request, or "" when
	// the request has not been routed yet.
	Route() string
	// Skip reports whether the framework's skipper skips the request.
	Skip() bool
	// Map returns the enforcer's values for subject; ok is false when the
	// framework has no mapper of its own and the Auth's is to be used.
	Map(subject string) (values []any, ok bool, err error)
	// Fail answers a refusal with the framework's error handler; ok is
	// false when it has none and the Auth's is to be used.
	Fail(err error) (ret error, ok bool)
	// Next runs the rest of the chain.
	Next() error
	// Refused tells the framework that strict mode answered code beneath
	// its response (through Writer), so that what the framework records
	// of the response (echo's Response.Status, which its request logger
	// reads) is the refusal, not the status the handler asked for.
	Refused(code int)
}

// Runner runs one check of the pipeline for an Exchange.
type Runner interface {
	Run(x Exchange) error
}
