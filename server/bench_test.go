package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wardenhq/warden/config/dbtest"
)

// BenchmarkCheck measures one POST /v1/check through a real listener:
// token verification, JSON, a decision with its explanation, the response.
func BenchmarkCheck(b *testing.B) {
	e := newEnv(b, dbtest.SQLite)
	bearer := "Bearer " + tok(b, "root", nil, nil)
	body := `{"sub":"bob","obj":"/posts/42","act":"GET"}`
	client := e.srv.Client()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("POST", e.srv.URL+"/v1/check", strings.NewReader(body))
		req.Header.Set("Authorization", bearer)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatal(res.Status)
		}
	}
}
