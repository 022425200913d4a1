package middleware

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/wardenhq/warden/middleware/token"
)

// ErrorHandler writes the response for a refused request. err wraps one of
// the sentinels of this package or of package token; StatusOf gives its
// status. A custom handler must not write err's text to the client.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

// ErrorBody is the JSON body of the default error responses.
type ErrorBody struct {
	// Error is a stable code: "unauthorized", "invalid_token", "forbidden"
	// or "unavailable".
	Error string `json:"error"`
	// Message is a fixed human-readable text for the code.
	Message string `json:"message"`
	// RequestID lets an operator find the decision in the logs.
	RequestID string `json:"request_id,omitempty"`
}

// DefaultRetryAfter is the Retry-After of 503 responses.
const DefaultRetryAfter = 5 * time.Second

// DefaultErrorHandler answers with fixed texts only:
//   - 401 with WWW-Authenticate: Bearer (no credentials) or
//     Bearer error="invalid_token" (bad credentials), per RFC 6750 section 3;
//   - 403;
//   - 503 with Retry-After.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, err, DefaultRetryAfter)
}

func writeError(w http.ResponseWriter, r *http.Request, err error, retryAfter time.Duration) {
	status := StatusOf(err)
	body := ErrorBody{RequestID: RequestID(r.Context())}
	switch status {
	case http.StatusUnauthorized:
		if errors.Is(err, token.ErrMissingToken) {
			body.Error, body.Message = "unauthorized", "authentication required"
			w.Header().Set("WWW-Authenticate", `Bearer`)
		} else {
			body.Error, body.Message = "invalid_token", "the access token is invalid"
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
	case http.StatusServiceUnavailable:
		body.Error, body.Message = "unavailable", "authorization is temporarily unavailable"
		secs := int(retryAfter / time.Second)
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	default:
		body.Error, body.Message = "forbidden", "access denied"
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
