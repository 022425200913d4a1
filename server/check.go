package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/policyadmin"
)

// MaxCheckValueLen bounds a string value of a /v1/check request.
const MaxCheckValueLen = 4096

// CheckResult is the decision for one /v1/check request.
type CheckResult struct {
	// Request echoes the request's fields.
	Request map[string]any `json:"request"`
	Allowed bool           `json:"allowed"`
	// Effect is "allow" or "deny" when a rule decided, "none" otherwise.
	Effect string `json:"effect"`
	// Rule is the rule that decided, absent when none did.
	Rule *RuleJSON `json:"rule,omitempty"`
	// Chain is the role chain from the subject to the rule's subject.
	Chain []string `json:"chain"`
	// Error is "evaluation_failed" when the decision could not be made;
	// Allowed is then false.
	Error string `json:"error,omitempty"`
}

// CheckList is the answer to the list form of /v1/check.
type CheckList struct {
	Decisions []CheckResult `json:"decisions"`
}

// checkItem is one parsed request.
type checkItem struct {
	echo   map[string]any
	values []any
}

// callerBody starts an endpoint that any authenticated caller may use for
// its own identity (/v1/check, /v1/plan): it returns the caller and the
// request body, or answers and returns ok false. The request counts as
// checked here, because such a caller's input errors are its own to see;
// asking for another subject is authorized later, per request.
func (s *Server) callerBody(w http.ResponseWriter, r *http.Request) (u *middleware.User, body []byte, ok bool) {
	u, ok = middleware.UserFrom(r.Context())
	if !ok { // Authenticate ran before; this cannot happen
		middleware.DefaultErrorHandler(w, r, middleware.ErrUnauthenticated)
		return nil, nil, false
	}
	middleware.MarkChecked(r.Context())
	b, err := s.readBody(w, r)
	if err != nil {
		writeInputError(w, r, err)
		return nil, nil, false
	}
	return u, b, true
}

func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) {
	u, b, ok := s.callerBody(w, r)
	if !ok {
		return
	}
	items, list, err := s.parseCheck(b)
	if err != nil {
		writeInputError(w, r, err)
		return
	}
	decide := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := make([]CheckResult, len(items))
		for i, it := range items {
			out[i] = s.decideOne(r, it)
		}
		if list {
			writeJSON(w, http.StatusOK, CheckList{Decisions: out})
			return
		}
		writeJSON(w, http.StatusOK, out[0])
	})
	own := !slices.ContainsFunc(items, func(it checkItem) bool { return it.values[0] != u.ID() })
	if own {
		decide(w, r)
		return
	}
	s.auth.Guard(policyadmin.PermCheck, s.guard(policyadmin.PermCheck))(decide).ServeHTTP(w, r)
}

func (s *Server) decideOne(r *http.Request, it checkItem) CheckResult {
	start := time.Now()
	x, err := s.policy.Explain(r.Context(), enforcer.Request{Values: it.values})
	latency := time.Since(start)
	res := CheckResult{Request: it.echo, Chain: []string{}}
	result := "deny"
	switch {
	case err != nil:
		result = "error"
		res.Effect, res.Error = "none", "evaluation_failed"
		s.logger.WarnContext(r.Context(), "server: check failed", "request_id", middleware.RequestID(r.Context()), "error", err)
	default:
		res.Allowed, res.Effect = x.Allowed, x.Effect.String()
		if !x.Rule.IsZero() {
			rj := toJSON(x.Rule)
			res.Rule = &rj
		}
		if x.Chain != nil {
			res.Chain = x.Chain
		}
		if x.Allowed {
			result = "allow"
		}
	}
	if s.observe != nil {
		s.observe(result, latency)
	}
	return res
}

// parseCheck reads one request object or a list of them.
func (s *Server) parseCheck(b []byte) ([]checkItem, bool, error) {
	names := requestFields(s.policy)
	b = bytes.TrimSpace(b)
	switch b[0] {
	case '{':
		it, err := parseCheckItem(b, names, "")
		return []checkItem{it}, false, err
	case '[':
		var raws []json.RawMessage
		if err := decodeStrict(b, &raws, ""); err != nil {
			return nil, true, err
		}
		switch {
		case len(raws) == 0:
			return nil, true, invalid("", "the list is empty")
		case len(raws) > MaxCheckItems:
			return nil, true, invalid("", "at most %d requests per call", MaxCheckItems)
		}
		items := make([]checkItem, len(raws))
		for i, raw := range raws {
			it, err := parseCheckItem(raw, names, fmt.Sprintf("[%d]", i))
			if err != nil {
				return nil, true, err
			}
			items[i] = it
		}
		return items, true, nil
	}
	return nil, false, invalid("", "must be a JSON object or an array of objects")
}

// requestFields returns the model's request field names ("sub", "obj",
// "act" for r = sub, obj, act), asked of the enforcer on every request
// rather than read from a copy of its model.
func requestFields(e *enforcer.Enforcer) []string { return e.Fields("r") }

func parseCheckItem(b []byte, names []string, prefix string) (checkItem, error) {
	join := func(f string) string {
		if prefix == "" {
			return f
		}
		return prefix + "." + f
	}
	var fields map[string]json.RawMessage
	if err := decodeStrict(b, &fields, prefix); err != nil {
		return checkItem{}, err
	}
	if fields == nil {
		return checkItem{}, invalid(prefix, "must be an object")
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(names, k) {
			return checkItem{}, invalid(join(k), "unknown field (the model's request has %s)", strings.Join(names, ", "))
		}
	}
	it := checkItem{echo: make(map[string]any, len(names)), values: make([]any, len(names))}
	for i, n := range names {
		raw, ok := fields[n]
		if !ok {
			return checkItem{}, invalid(join(n), "required")
		}
		v, err := checkValueOf(raw)
		if err != nil {
			return checkItem{}, invalid(join(n), "%s", err)
		}
		it.values[i], it.echo[n] = v, v
	}
	if _, ok := it.values[0].(string); !ok {
		return checkItem{}, invalid(join(names[0]), "must be a string")
	}
	return it, nil
}

// controlMsg refuses a check value with a control character. keyMatch2's
// "*" is a regular expression's ".*", which stops at a newline while ":id"
// takes it, so "/posts/1\n" escaped a deny on /posts/* that "/posts/1" met:
// a service asking /v1/check about the path it was sent would have been
// told allow. The middleware refuses such paths (middleware.CheckPath);
// the check API refuses them too.
const controlMsg = "holds a control character, which a policy pattern reads differently"

// anyBad reports whether a decoded JSON value holds, in a key or a string,
// a control character (see controlMsg).
func anyBad(v any) bool {
	switch v := v.(type) {
	case string:
		return bad(v)
	case map[string]any:
		for k, x := range v {
			if bad(k) || anyBad(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if anyBad(x) {
				return true
			}
		}
	}
	return false
}

// checkValueOf accepts a string, or an object for attribute-based models.
func checkValueOf(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, errors.New("malformed string")
		}
		switch {
		case s == "":
			return nil, errors.New("must not be empty")
		case len(s) > MaxCheckValueLen:
			return nil, fmt.Errorf("longer than %d bytes", MaxCheckValueLen)
		case bad(s):
			return nil, errors.New(controlMsg)
		}
		return s, nil
	case len(raw) > 0 && raw[0] == '{':
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, errors.New("malformed object")
		}
		if anyBad(m) {
			return nil, errors.New(controlMsg)
		}
		return m, nil
	}
	return nil, errors.New("must be a string or an object")
}
