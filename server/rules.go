package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/internal/subjectsort"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/permission"
	"github.com/wardenhq/warden/policyadmin"
)

// RulesPage is the answer of GET /v1/rules.
type RulesPage struct {
	Scope  string     `json:"scope"`
	PType  string     `json:"ptype"`
	Offset int        `json:"offset"`
	Limit  int        `json:"limit"`
	Total  int        `json:"total"`
	Rules  []RuleJSON `json:"rules"`
	// NextOffset is the offset of the next page; absent on the last.
	NextOffset *int `json:"next_offset,omitempty"`
}

// ChangeResult is the answer of a grant or revoke.
type ChangeResult struct {
	Scope   string     `json:"scope"`
	Action  string     `json:"action"`
	Changed int        `json:"changed"`
	Before  []RuleJSON `json:"before"`
	After   []RuleJSON `json:"after"`
	AuditID uint64     `json:"audit_id"`
}

// rulesBody is the body of POST and DELETE /v1/rules: one rule, or a list.
type rulesBody struct {
	PType  string            `json:"ptype"`
	Values []string          `json:"values"`
	Rules  []json.RawMessage `json:"rules"`
}

// groupBody is the body of POST and DELETE /v1/groups.
type groupBody struct {
	PType  string `json:"ptype"`
	Member string `json:"member"`
	Role   string `json:"role"`
	Domain string `json:"domain"`
}

func scopeOf(r *http.Request) (string, error) {
	sc := r.URL.Query().Get("scope")
	switch sc {
	case "", policyadmin.ScopePolicy:
		return policyadmin.ScopePolicy, nil
	case policyadmin.ScopeAdmin:
		return policyadmin.ScopeAdmin, nil
	}
	return "", invalid("scope", "must be %s or %s", policyadmin.ScopePolicy, policyadmin.ScopeAdmin)
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, invalid(name, "must be an integer from %d to %d", lo, hi)
	}
	return n, nil
}

func (s *Server) handleListRules(w http.ResponseWriter, r *http.Request) {
	scope, err := scopeOf(r)
	if err != nil {
		writeInputError(w, r, err)
		return
	}
	e, _ := s.enforcerFor(scope)
	ptype := r.URL.Query().Get("ptype")
	if ptype == "" {
		ptype = "p"
	}
	if fieldNames(e, ptype) == nil {
		writeInputError(w, r, invalid("ptype", "ptype %q is not defined by the model", ptype))
		return
	}
	offset, err := intParam(r, "offset", 0, 0, 1<<31-1)
	if err != nil {
		writeInputError(w, r, err)
		return
	}
	limit, err := intParam(r, "limit", 100, 1, MaxListLimit)
	if err != nil {
		writeInputError(w, r, err)
		return
	}
	all := e.Rules(ptype)
	// ?subject= keeps the rules whose first field (a p rule's subject, a g
	// rule's member) is exactly the value.
	if sub, ok := r.URL.Query()["subject"]; ok {
		if len(sub) != 1 || sub[0] == "" {
			writeInputError(w, r, invalid("subject", "give one non-empty subject"))
			return
		}
		all = slices.DeleteFunc(all, func(rl enforcer.Rule) bool { return len(rl.Values) == 0 || rl.Values[0] != sub[0] })
	}
	page := RulesPage{Scope: scope, PType: ptype, Offset: offset, Limit: limit, Total: len(all), Rules: []RuleJSON{}}
	if offset < len(all) {
		end := min(offset+limit, len(all))
		page.Rules = toJSONList(all[offset:end])
		if end < len(all) {
			page.NextOffset = &end
		}
	}
	writeJSON(w, http.StatusOK, page)
}

// decodeChange reads what every change request starts with: the policy
// scope from the query and a strict JSON body into dst. On a bad request it
// has answered 400 and ok is false.
func (s *Server) decodeChange(w http.ResponseWriter, r *http.Request, dst any) (scope string, e *enforcer.Enforcer, ok bool) {
	scope, err := scopeOf(r)
	if err != nil {
		writeInputError(w, r, err)
		return "", nil, false
	}
	e, _ = s.enforcerFor(scope)
	b, err := s.readBody(w, r)
	if err == nil {
		err = decodeStrict(b, dst, "")
	}
	if err != nil {
		writeInputError(w, r, err)
		return "", nil, false
	}
	return scope, e, true
}

func (s *Server) handleRules(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body rulesBody
		scope, e, ok := s.decodeChange(w, r, &body)
		if !ok {
			return
		}
		rules, err := body.rules(e)
		if err == nil && scope == policyadmin.ScopeAdmin {
			err = checkAdminRules(rules, body.Rules != nil, action == audit.ActionRevoke)
		}
		if err != nil {
			writeInputError(w, r, err)
			return
		}
		s.change(w, r, e, scope, action, rules, func(i int) string {
			if body.Rules != nil {
				return fmt.Sprintf("rules[%d]", i)
			}
			return "values"
		})
	}
}

// checkAdminRules refuses permissions the admin policy could not match as
// written (see package permission), naming the field.
func checkAdminRules(rules []enforcer.Rule, list, revoke bool) error {
	for i, r := range rules {
		if r.PType != "p" || len(r.Values) < 2 {
			continue
		}
		field := "values[1]"
		if list {
			field = fmt.Sprintf("rules[%d].values[1]", i)
		}
		err := permission.Validate(r.Values[1])
		switch {
		case errors.Is(err, permission.ErrStar) && revoke:
			// Stored before permissions refused it: it can be taken away.
		case errors.Is(err, permission.ErrStar):
			return invalid(field, "a \"*\" matches the whole rest of a permission, so it must be its last character (%q matches every permission starting with %q)",
				r.Values[1], r.Values[1][:strings.IndexByte(r.Values[1], '*')])
		case err != nil || strings.HasPrefix(r.Values[1], "!"):
			return invalid(field, "not a valid permission such as warden:admin (deny with eft \"deny\", not \"!\")")
		}
	}
	return nil
}

func (b rulesBody) rules(e *enforcer.Enforcer) ([]enforcer.Rule, error) {
	single := b.PType != "" || b.Values != nil
	switch {
	case single && b.Rules != nil:
		return nil, invalid("rules", "give either ptype and values, or rules")
	case single:
		r, err := validateRule(e, RuleJSON{PType: b.PType, Values: b.Values}, "")
		if err != nil {
			return nil, err
		}
		return []enforcer.Rule{r}, nil
	case len(b.Rules) == 0:
		return nil, invalid("rules", "required: give ptype and values, or a non-empty rules list")
	case len(b.Rules) > MaxListLimit:
		return nil, invalid("rules", "at most %d rules per request", MaxListLimit)
	}
	out := make([]enforcer.Rule, len(b.Rules))
	for i, raw := range b.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		var rj RuleJSON
		if err := decodeStrict(raw, &rj, field); err != nil {
			return nil, err
		}
		r, err := validateRule(e, rj, field)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

func (s *Server) handleGroups(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body groupBody
		scope, e, ok := s.decodeChange(w, r, &body)
		if !ok {
			return
		}
		rule, err := body.rule(e)
		if err != nil {
			writeInputError(w, r, err)
			return
		}
		s.change(w, r, e, scope, action, []enforcer.Rule{rule}, func(int) string { return "member" })
	}
}

func (b groupBody) rule(e *enforcer.Enforcer) (enforcer.Rule, error) {
	if b.PType == "" {
		b.PType = "g"
	}
	names := fieldNames(e, b.PType)
	if names == nil || b.PType[0] != 'g' {
		return enforcer.Rule{}, invalid("ptype", "ptype %q is not a role definition of the model", b.PType)
	}
	vals := []string{b.Member, b.Role}
	fields := []string{"member", "role"}
	switch {
	case len(names) == 3 && names[2] == "domain":
		vals, fields = append(vals, b.Domain), append(fields, "domain")
	case len(names) != 2:
		// A conditional definition's parameters (g = _, _, (_)) are
		// no domain.
		return enforcer.Rule{}, invalid("ptype", "ptype %q has %d fields (%s); use /v1/rules", b.PType, len(names), strings.Join(names, ", "))
	case b.Domain != "":
		return enforcer.Rule{}, invalid("domain", "the model's %s has no domain", b.PType)
	}
	for i, v := range vals {
		if err := checkValue(v); err != nil {
			return enforcer.Rule{}, invalid(fields[i], "%s", err)
		}
	}
	rule := enforcer.Rule{PType: b.PType, Values: vals}
	if err := checkRule(e, rule, func(i int) string { return fields[i] }); err != nil {
		return enforcer.Rule{}, err
	}
	return rule, nil
}

// change applies and audits one grant or revoke and writes the answer;
// field names the input of rules[i] for errors.
func (s *Server) change(w http.ResponseWriter, r *http.Request, e *enforcer.Enforcer, scope, action string, rules []enforcer.Rule, field func(i int) string) {
	actor := ""
	if u, ok := middleware.UserFrom(r.Context()); ok {
		actor = u.ID()
	}
	res, err := policyadmin.Apply(r.Context(), e, s.audit, policyadmin.Change{
		Scope: scope, Action: action, Rules: rules, Actor: actor, Source: "api",
		RemoteAddr: r.RemoteAddr, RequestID: middleware.RequestID(r.Context()), Admins: s.admins,
		RefusedIdentity: s.auth.IsRoleIdentity,
		AdminPolicy:     s.servedRolesGuard(scope),
		ServedPolicy:    s.refusedServedRoles(scope),
	})
	if s.onChange != nil {
		s.onChange(scope, action, res.Changed, outcomeOf(res, err))
	}
	var lock *policyadmin.LockoutError
	switch {
	case errors.As(err, &lock):
		writeError(w, r, http.StatusConflict, "conflict", field(lock.Index), lock.Error())
		return
	case errors.Is(err, subjectsort.ErrCycle):
		// Rules of the policy this caller manages, named so that the
		// refusal says what to change.
		writeError(w, r, http.StatusConflict, "conflict", "values",
			"the change would leave the links "+subjectsort.Links(err)+" in a cycle below a top role, which subjectPriority cannot order")
		return
	case errors.Is(err, enforcer.ErrInvalidRule):
		writeError(w, r, http.StatusBadRequest, "invalid_request", "values", "the rule does not fit the model")
		return
	case errors.Is(err, policyadmin.ErrAudit):
		s.logger.ErrorContext(r.Context(), "server: change applied but not audited", "request_id", middleware.RequestID(r.Context()), "error", err)
		writeError(w, r, http.StatusInternalServerError, "audit_failed", "",
			"the change was applied but its audit record could not be stored; see the server log")
		return
	case errors.Is(err, audit.ErrWrite):
		// On a change log the audit row is part of the change: neither
		// was stored.
		s.logger.ErrorContext(r.Context(), "server: change not made: its audit row could not be stored", "request_id", middleware.RequestID(r.Context()), "error", err)
		w.Header().Set("Retry-After", "5")
		writeError(w, r, http.StatusServiceUnavailable, "audit_failed", "",
			"the change was not made: its audit record could not be stored; see the server log")
		return
	case errors.Is(err, enforcer.ErrOutcomeUnknown):
		s.logger.ErrorContext(r.Context(), "server: "+action+" outcome unknown", "request_id", middleware.RequestID(r.Context()), "error", err)
		w.Header().Set("Retry-After", "5")
		writeError(w, r, http.StatusServiceUnavailable, "outcome_unknown", "",
			"the policy store did not confirm the change and cannot be asked yet; it may be in force. The server asks the store before its next change: read the rules, then retry")
		return
	case err != nil:
		s.writeUnavailable(w, r, action, err)
		return
	}
	if res.NotAnnounced {
		s.logger.WarnContext(r.Context(), "server: change applied but not announced to the other instances",
			"request_id", middleware.RequestID(r.Context()), "audit_id", res.AuditID)
	}
	writeJSON(w, http.StatusOK, ChangeResult{
		Scope: scope, Action: action, Changed: res.Changed,
		Before: toJSONList(res.Before), After: toJSONList(res.After), AuditID: res.AuditID,
	})
}

// servedRolesGuard is the admin policy a change of scope must not lock
// out through the served policy's roles (see
// policyadmin.Change.AdminPolicy), or nil.
func (s *Server) servedRolesGuard(scope string) *enforcer.Enforcer {
	if scope == policyadmin.ScopePolicy && s.auth.AsksRoleSource(s.policy) {
		return s.admin
	}
	return nil
}

// refusedServedRoles is, on an admin-scope change, the served policy
// whose roles the middleware refuses as subjects (see
// policyadmin.Change.ServedPolicy), or nil.
func (s *Server) refusedServedRoles(scope string) *enforcer.Enforcer {
	if scope == policyadmin.ScopeAdmin && s.auth.AsksRoleSource(s.policy) {
		return s.policy
	}
	return nil
}

func outcomeOf(res policyadmin.Result, err error) string {
	switch {
	case err == nil && res.NotAnnounced:
		return "not_announced"
	case err == nil:
		return "ok"
	case errors.Is(err, enforcer.ErrInvalidRule):
		return "invalid"
	case errors.Is(err, policyadmin.ErrLockout):
		return "conflict"
	case errors.Is(err, policyadmin.ErrAudit), errors.Is(err, audit.ErrWrite):
		return "audit_failed"
	case errors.Is(err, enforcer.ErrOutcomeUnknown):
		return "outcome_unknown"
	}
	return "unavailable"
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	after, err := intParam(r, "after_id", 0, 0, 1<<62)
	if err != nil {
		writeInputError(w, r, err)
		return
	}
	limit, err := intParam(r, "limit", 100, 1, MaxListLimit)
	if err != nil {
		writeInputError(w, r, err)
		return
	}
	entries, err := s.audit.List(r.Context(), audit.Query{AfterID: uint64(after), Limit: limit, Actor: r.URL.Query().Get("actor")})
	if err != nil {
		s.writeUnavailable(w, r, "audit list", err)
		return
	}
	out := AuditPage{Entries: make([]AuditEntry, len(entries))}
	for i, e := range entries {
		out.Entries[i] = auditView(e)
	}
	if n := len(entries); n == limit {
		next := entries[n-1].ID
		out.NextAfterID = &next
	}
	writeJSON(w, http.StatusOK, out)
}

// AuditPage is the answer of GET /v1/audit.
type AuditPage struct {
	Entries []AuditEntry `json:"entries"`
	// NextAfterID is the after_id of the next page; absent when this page
	// was not full.
	NextAfterID *uint64 `json:"next_after_id,omitempty"`
}

// AuditEntry is an audit.Entry with its rule lists decoded.
type AuditEntry struct {
	ID         uint64     `json:"id"`
	Time       time.Time  `json:"time"`
	Actor      string     `json:"actor"`
	Action     string     `json:"action"`
	Scope      string     `json:"scope"`
	Rules      [][]string `json:"rules"`
	Before     [][]string `json:"before"`
	After      [][]string `json:"after"`
	Changed    int        `json:"changed"`
	Source     string     `json:"source"`
	RemoteAddr string     `json:"remote_addr,omitempty"`
	RequestID  string     `json:"request_id,omitempty"`
	// Failed is true when the change failed; its cause is in the server's
	// log, never in the API.
	Failed bool `json:"failed,omitempty"`
	// NotAnnounced is true for a change that succeeded but could not be
	// announced to the other instances (see ChangeResult.Announced).
	NotAnnounced bool `json:"not_announced,omitempty"`
}

func auditView(e audit.Entry) AuditEntry {
	dec := func(s string) [][]string {
		r, err := audit.DecodeRules(s)
		if err != nil || r == nil {
			return [][]string{}
		}
		return r
	}
	return AuditEntry{ID: e.ID, Time: e.Time, Actor: e.Actor, Action: e.Action, Scope: e.Scope,
		Rules: dec(e.Rules), Before: dec(e.Before), After: dec(e.After), Changed: e.Changed, Source: e.Source,
		RemoteAddr: e.RemoteAddr, RequestID: e.RequestID, Failed: e.Error != "",
		NotAnnounced: strings.HasPrefix(e.Note, audit.NoteNotAnnounced)}
}
