package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/wardenhq/warden/middleware"
)

// ErrorBody is the JSON body of every error this package writes.
type ErrorBody struct {
	// Error is a stable code: invalid_request, too_large, not_found,
	// conflict, unavailable, audit_failed, internal.
	Error string `json:"error"`
	// Field names the input at fault, for invalid_request.
	Field string `json:"field,omitempty"`
	// Message is a fixed text; it never carries internal error text.
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// fieldError is a validation failure of one input field.
type fieldError struct {
	field, msg string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

func invalid(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

// errTooLarge is returned by decode for a body over the limit.
var errTooLarge = errors.New("body too large")

// readBody reads the whole body, at most s.maxBody bytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, errTooLarge
	case err != nil:
		return nil, invalid("", "unreadable body")
	case len(bytes.TrimSpace(b)) == 0:
		return nil, invalid("", "a JSON body is required")
	}
	return b, nil
}

// decodeStrict decodes one JSON value into v, refusing unknown fields,
// trailing data and what checkJSON refuses (case-folded keys, duplicate
// keys, invalid UTF-8), and turns errors into fieldErrors. It is the one
// decoder of request bodies.
func decodeStrict(b []byte, v any, prefix string) error {
	if err := checkJSON(b, reflect.TypeOf(v), prefix); err != nil {
		if errors.Is(err, errSyntax) {
			return invalid(prefix, "malformed JSON")
		}
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, prefix)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid(prefix, "unexpected data after the JSON value")
	}
	return nil
}

func jsonError(err error, prefix string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	join := func(f string) string { return joinField(prefix, f) }
	switch {
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return invalid(prefix, "malformed JSON")
	case errors.As(err, &typ):
		return invalid(join(typ.Field), "must be of JSON type %s", jsonType(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(join(name), "unknown field")
	}
	return invalid(prefix, "invalid JSON")
}

func jsonType(kind string) string {
	switch kind {
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	case "int", "int64", "uint64", "float64":
		return "number"
	}
	return kind
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, r *http.Request, status int, code, field, msg string) {
	writeJSON(w, status, ErrorBody{Error: code, Field: field, Message: msg, RequestID: middleware.RequestID(r.Context())})
}

// writeInputError answers a decoding or validation error: 400 with the
// field, or 413.
func writeInputError(w http.ResponseWriter, r *http.Request, err error) {
	var fe *fieldError
	switch {
	case errors.Is(err, errTooLarge):
		writeError(w, r, http.StatusRequestEntityTooLarge, "too_large", "", "the request body is too large")
	case errors.As(err, &fe):
		writeError(w, r, http.StatusBadRequest, "invalid_request", fe.field, fe.msg)
	default:
		writeError(w, r, http.StatusBadRequest, "invalid_request", "", "invalid request")
	}
}

// writeUnavailable logs cause under the request id and answers 503.
func (s *Server) writeUnavailable(w http.ResponseWriter, r *http.Request, what string, cause error) {
	s.logger.ErrorContext(r.Context(), "server: "+what+" failed", "request_id", middleware.RequestID(r.Context()), "error", cause)
	w.Header().Set("Retry-After", "5")
	writeError(w, r, http.StatusServiceUnavailable, "unavailable", "", "the policy store is temporarily unavailable")
}
