package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/policyadmin"
	"github.com/wardenhq/warden/server"
)

// TestLongActorIsAudited: a caller whose token subject is longer than the
// audit's actor column gets its change applied and audited (the actor cut
// and marked), not a 500 audit_failed after the fact.
func TestLongActorIsAudited(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		sub := strings.Repeat("s", 700)
		res := e.do("POST", "/v1/groups", tok(t, sub, nil, []string{"warden:admin"}), `{"member":"lena","role":"viewer"}`,
			"X-Request-Id", strings.Repeat("q", 100))
		if res.status != http.StatusOK {
			t.Fatalf("grant by a long subject: %d %s", res.status, res.body)
		}
		entries, err := e.audit.List(t.Context(), audit.Query{AfterID: 0, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		last := entries[len(entries)-1]
		if !strings.HasSuffix(last.Actor, audit.TruncationMark) || !strings.HasPrefix(sub, strings.TrimSuffix(last.Actor, audit.TruncationMark)) || last.Changed != 1 {
			t.Errorf("audit row = actor %q changed %d; want the cut subject and changed 1", last.Actor, last.Changed)
		}
	})
}

// TestFailedChangeIsAudited: a change that failed in the policy store while
// the audit table was reachable leaves a row marked failed, shown as such
// by GET /v1/audit without the cause.
func TestFailedChangeIsAudited(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open opener) {
		e := newEnv(t, open)
		root := tok(t, "root", nil, nil)
		// The served policy's table goes away; the audit table stays.
		if err := e.db.Exec("DROP TABLE " + policyadmin.DefaultPolicyTable).Error; err != nil {
			t.Fatal(err)
		}
		res := e.do("POST", "/v1/groups", root, `{"member":"fay","role":"viewer"}`, "X-Request-Id", "fail-1")
		if res.status != http.StatusServiceUnavailable {
			t.Fatalf("grant with the policy table gone: %d %s", res.status, res.body)
		}
		entries, err := e.audit.List(t.Context(), audit.Query{Actor: "root"})
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit rows = %+v, %v", entries, err)
		}
		if en := entries[0]; en.Error == "" || en.RequestID != "fail-1" || en.Changed != 0 || en.After != "[]" {
			t.Errorf("audit row = %+v; want a failed row with the request id", en)
		}
		ar := e.do("GET", "/v1/audit?actor=root", root, "")
		var page server.AuditPage
		ar.json(t, &page)
		if ar.status != http.StatusOK || len(page.Entries) != 1 || !page.Entries[0].Failed {
			t.Errorf("GET /v1/audit = %d %s; want the entry marked failed", ar.status, ar.body)
		}
		if strings.Contains(string(ar.body), policyadmin.DefaultPolicyTable) {
			t.Errorf("GET /v1/audit leaks the cause: %s", ar.body)
		}
	})
}
