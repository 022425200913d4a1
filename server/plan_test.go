package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/server"
)

func TestPlan(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	root := tok(t, "root", nil, nil)
	carol := tok(t, "carol", nil, nil)
	body := func(sub, dialect string) string {
		return `{"request":{"sub":"` + sub + `","obj":"?","act":"GET"},"dialect":"` + dialect + `","columns":{"obj":"path"}}`
	}
	cases := []struct {
		name, token, body string
		status            int
		want              string // substring of the body
	}{
		{"for another subject with check permission", root, body("carol", "postgres"), 200, `"kind":"conditional"`},
		{"for oneself", carol, body("carol", "sqlite"), 200, "\"sql\":\"`path` IS NOT NULL AND "},
		{"for another subject without permission", carol, body("alice", "sqlite"), 403, "forbidden"},
		{"nobody", root, body("mallory", "mysql"), 200, `{"kind":"always_denied","sql":"1 = 0","args":[]}`},
		{"no open field", root, `{"request":{"sub":"carol","obj":"/posts","act":"GET"},"dialect":"sqlite","columns":{"obj":"path"}}`, 400, `"field":"request"`},
		{"two open fields", root, `{"request":{"sub":"carol","obj":"?","act":"?"},"dialect":"sqlite","columns":{"obj":"path"}}`, 400, `"field":"request"`},
		{"unknown dialect", root, body("carol", "oracle"), 400, `"field":"dialect"`},
		{"missing column", root, `{"request":{"sub":"carol","obj":"?","act":"GET"},"dialect":"sqlite","columns":{}}`, 400, `"field":"columns"`},
		{"column name that is no identifier", root, `{"request":{"sub":"carol","obj":"?","act":"GET"},"dialect":"sqlite","columns":{"obj":"pa` + "`" + `th"}}`, 400, `"field":"columns"`},
		{"empty part of a column name", root, `{"request":{"sub":"carol","obj":"?","act":"GET"},"dialect":"postgres","columns":{"obj":"posts..path"}}`, 400, `"field":"columns"`},
		{"unknown field", root, `{"request":{"sub":"carol","obj":"?","act":"GET"},"dialect":"sqlite","columns":{},"x":1}`, 400, `"field":"x"`},
		{"missing request field", root, `{"request":{"sub":"carol","obj":"?"},"dialect":"sqlite"}`, 400, `"field":"request.act"`},
		{"no token", "", body("carol", "sqlite"), 401, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.do("POST", "/v1/plan", c.token, c.body)
			if res.status != c.status || !strings.Contains(string(res.body), c.want) {
				t.Fatalf("status %d, body %s", res.status, res.body)
			}
		})
	}
	res := e.do("POST", "/v1/plan", root, body("carol", "postgres"))
	var got server.PlanResult
	if err := json.Unmarshal(res.body, &got); err != nil || !strings.Contains(got.SQL, "$1") || len(got.Args) == 0 {
		t.Fatalf("%s: %+v %v", res.body, got, err)
	}
	if res := e.do("GET", "/v1/plan", root, ""); res.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", res.status)
	}
}
