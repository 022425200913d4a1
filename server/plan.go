package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/filter"
	"github.com/wardenhq/warden/filter/sqlfilter"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/policyadmin"
)

// PlanOpen is the request value that marks the open field of a /v1/plan
// request, as ? does on the command line.
const PlanOpen = "?"

// planBody is the body of POST /v1/plan.
type planBody struct {
	// Request holds the model's request fields, as for /v1/check, with the
	// open field given as "?".
	Request json.RawMessage `json:"request"`
	// Dialect is sqlite, postgres or mysql.
	Dialect string `json:"dialect"`
	// Columns maps fields ("obj", "obj.Owner") to columns.
	Columns map[string]string `json:"columns"`
}

// PlanResult is the answer of POST /v1/plan, the object `warden plan
// --json` prints.
type PlanResult struct {
	Kind string `json:"kind"`
	SQL  string `json:"sql"`
	Args []any  `json:"args"`
}

// handlePlan answers which values of the open field the request allows,
// as a SQL filter. Like /v1/check, any caller may plan for its own
// identity; planning for another subject needs policyadmin.PermCheck.
func (s *Server) handlePlan(w http.ResponseWriter, r *http.Request) {
	u, b, ok := s.callerBody(w, r)
	if !ok {
		return
	}
	var body planBody
	if err := decodeStrict(b, &body, ""); err != nil {
		writeInputError(w, r, err)
		return
	}
	d, err := sqlfilter.ParseDialect(body.Dialect)
	if err != nil {
		writeInputError(w, r, invalid("dialect", "must be sqlite, postgres or mysql"))
		return
	}
	if len(body.Request) == 0 {
		writeInputError(w, r, invalid("request", "required"))
		return
	}
	it, err := parseCheckItem(body.Request, requestFields(s.policy), "request")
	if err != nil {
		writeInputError(w, r, err)
		return
	}
	open := 0
	for i, v := range it.values {
		if v == PlanOpen {
			it.values[i] = enforcer.Unknown{}
			open++
		}
	}
	if open != 1 {
		writeInputError(w, r, invalid("request", `exactly one field must be "?" (the open field)`))
		return
	}
	plan := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.policy.Plan(r.Context(), enforcer.Request{Values: it.values})
		var where sqlfilter.Where
		if err == nil && p.Cond != nil {
			for _, f := range p.Cond.Fields() {
				if body.Columns[f] == "" {
					writeInputError(w, r, invalid("columns", "no column for field %s", f))
					return
				}
			}
		}
		if err == nil {
			where, err = sqlfilter.Translate(p, d, sqlfilter.Columns(body.Columns))
		}
		switch {
		case err == nil:
		case errors.Is(err, filter.ErrUnsupported):
			// The construct is named in the log only: it may quote the
			// policy, which this caller need not be allowed to read.
			s.logger.InfoContext(r.Context(), "server: plan unsupported", "request_id", middleware.RequestID(r.Context()), "error", err)
			writeError(w, r, http.StatusUnprocessableEntity, "unsupported", "", "this policy cannot be stated as a filter for this request")
			return
		case errors.Is(err, sqlfilter.ErrColumn):
			// The names are the caller's own: a 400 naming the field,
			// not a 503 that invites retries.
			writeInputError(w, r, invalid("columns", "%s", strings.TrimPrefix(err.Error(), sqlfilter.ErrColumn.Error()+": ")))
			return
		case errors.Is(err, enforcer.ErrInvalidRequest):
			writeError(w, r, http.StatusBadRequest, "invalid_request", "request", "the request does not fit the model")
			return
		default:
			s.logger.WarnContext(r.Context(), "server: plan failed", "request_id", middleware.RequestID(r.Context()), "error", err)
			writeError(w, r, http.StatusServiceUnavailable, "unavailable", "", "the plan could not be made")
			return
		}
		if where.Args == nil {
			where.Args = []any{}
		}
		writeJSON(w, http.StatusOK, PlanResult{Kind: p.Kind.String(), SQL: where.SQL, Args: where.Args})
	})
	if it.values[0] == u.ID() {
		plan(w, r)
		return
	}
	s.auth.Guard(policyadmin.PermCheck, s.guard(policyadmin.PermCheck))(plan).ServeHTTP(w, r)
}
