package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
)

// FuzzInput sends arbitrary bodies to every endpoint that reads one. Whatever
// the input, the answer is a decision or a refusal with a JSON body, never
// a panic or a 5xx, and nothing is granted to a subject that was not named
// in a valid request.
func FuzzInput(f *testing.F) {
	for _, s := range []string{
		`{"sub":"alice","obj":"/posts","act":"GET"}`,
		`[{"sub":"alice","obj":"/posts","act":"GET"},{"sub":"bob","obj":"/x","act":"PUT"}]`,
		`{"ptype":"p","values":["a","/","GET","allow"]}`,
		`{"rules":[{"ptype":"g","values":["a","b"]}]}`,
		`{"member":"a","role":"b"}`,
		`{"sub":{"Name":"x"},"obj":"/","act":"GET"}`,
		`{"values":[null]}`, `[]`, `{}`, `"x"`, `null`, `{"sub":"a"`, "\x00",
	} {
		f.Add(uint8(0), s)
	}
	e := newEnv(f, dbtest.SQLite)
	h := e.handler
	bearer := "Bearer " + tok(f, "root", nil, nil)
	routes := []struct{ method, path string }{
		{"POST", "/v1/check"}, {"POST", "/v1/rules"}, {"DELETE", "/v1/rules"},
		{"POST", "/v1/groups"}, {"DELETE", "/v1/groups"}, {"POST", "/v1/rules?scope=admin"},
	}
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		rt := routes[int(route)%len(routes)]
		req := httptest.NewRequest(rt.method, rt.path, strings.NewReader(body))
		req.Header.Set("Authorization", bearer)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%s %s %q: status %d %s", rt.method, rt.path, body, rec.Code, rec.Body)
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("%q: content type %q", body, rec.Header().Get("Content-Type"))
		}
	})
}
