package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// apiDoc is the HTTP API's documentation, whose examples this file runs.
const apiDoc = "../../docs/api.md"

// docExample is one request of docs/api.md and the answer shown for it.
type docExample struct {
	line     int // of the request block
	starting bool
	method   string
	target   string
	header   http.Header
	body     string
	status   int
	wantHdr  http.Header
	wantBody string
}

// wildcard in a documented answer stands for a value that differs on each
// call (a request id, a time, a remote address).
const wildcard = "…"

// readDocExamples reads the ```http blocks of docs/api.md: a request
// ("METHOD TARGET", headers, a blank line, the body), then its answer
// ("HTTP/1.1 STATUS TEXT", headers, a blank line, the body). The comment
// <!-- warden-doc: starting --> sends the next request to a server that
// is still opening its store.
func readDocExamples(t *testing.T) []docExample {
	t.Helper()
	b, err := os.ReadFile(apiDoc)
	if err != nil {
		t.Fatal(err)
	}
	type block struct {
		line     int
		text     string
		starting bool
	}
	var blocks []block
	sc := bufio.NewScanner(bytes.NewReader(b))
	var (
		in       bool
		cur      block
		buf      []string
		starting bool
	)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case !in && strings.TrimSpace(l) == "<!-- warden-doc: starting -->":
			starting = true
		case !in && l == "```http":
			in, cur, buf = true, block{line: n, starting: starting}, nil
			starting = false
		case in && l == "```":
			cur.text = strings.Join(buf, "\n")
			blocks = append(blocks, cur)
			in = false
		case in:
			buf = append(buf, l)
		}
	}
	if len(blocks)%2 != 0 {
		t.Fatalf("%s: %d http blocks: every request needs its answer", apiDoc, len(blocks))
	}
	var out []docExample
	for i := 0; i < len(blocks); i += 2 {
		req, res := blocks[i], blocks[i+1]
		ex := docExample{line: req.line, starting: req.starting}
		head, body, _ := strings.Cut(req.text, "\n\n")
		lines := strings.Split(head, "\n")
		if _, err := fmt.Sscanf(lines[0], "%s %s", &ex.method, &ex.target); err != nil || !strings.HasPrefix(ex.target, "/") {
			t.Fatalf("%s:%d: want a request line such as POST /v1/check, got %q", apiDoc, req.line, lines[0])
		}
		ex.header = parseHeaders(t, req.line, lines[1:])
		ex.body = body
		head, body, _ = strings.Cut(res.text, "\n\n")
		lines = strings.Split(head, "\n")
		if _, err := fmt.Sscanf(lines[0], "HTTP/1.1 %d", &ex.status); err != nil {
			t.Fatalf("%s:%d: want the answer of the request at line %d, such as HTTP/1.1 200 OK, got %q", apiDoc, res.line, req.line, lines[0])
		}
		if want := fmt.Sprintf("HTTP/1.1 %d %s", ex.status, http.StatusText(ex.status)); lines[0] != want {
			t.Errorf("%s:%d: status line %q, want %q", apiDoc, res.line, lines[0], want)
		}
		ex.wantHdr = parseHeaders(t, res.line, lines[1:])
		ex.wantBody = body
		out = append(out, ex)
	}
	return out
}

func parseHeaders(t *testing.T, line int, lines []string) http.Header {
	t.Helper()
	h := http.Header{}
	for _, l := range lines {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("%s:%d: %q is not a header", apiDoc, line, l)
		}
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return h
}

// TestAPIDocExamples sends every request of docs/api.md, in order, to a
// real `warden serve` started as the page says, and checks each answer:
// the status, the headers shown and the body (as JSON, "…" matching any
// value; other bodies line by line, "…" matching any lines).
func TestAPIDocExamples(t *testing.T) {
	examples := readDocExamples(t)
	if len(examples) < 20 {
		t.Fatalf("only %d examples read from %s", len(examples), apiDoc)
	}
	dir := t.TempDir()
	base := startServe(t, "--addr", "127.0.0.1:0", "--db", "sqlite://"+filepath.Join(dir, "warden.db"), "--model", confModel,
		"--seed", confPolicy, "--jwt-secret", serveSecret, "--admin", "root")
	starting := httptest.NewServer(&startupHandler{})
	defer starting.Close()
	tokenRe := regexp.MustCompile(`^Bearer \$([A-Z]+)$`)
	for _, ex := range examples {
		name := fmt.Sprintf("%s:%d %s %s", apiDoc, ex.line, ex.method, ex.target)
		url := base + ex.target
		if ex.starting {
			url = starting.URL + ex.target
		}
		req, err := http.NewRequestWithContext(context.Background(), ex.method, url, strings.NewReader(ex.body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, vs := range ex.header {
			for _, v := range vs {
				if m := tokenRe.FindStringSubmatch(v); m != nil {
					v = "Bearer " + serveToken(t, strings.ToLower(m[1]))
				}
				req.Header.Add(k, v)
			}
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != ex.status {
			t.Errorf("%s: status %d, the page shows %d\n%s", name, res.StatusCode, ex.status, got)
			continue
		}
		for k := range ex.wantHdr {
			if g, w := res.Header.Values(k), ex.wantHdr.Values(k); !slices.Equal(g, w) {
				t.Errorf("%s: header %s is %q, the page shows %q", name, k, g, w)
			}
		}
		if err := sameBody(ex.wantBody, string(got)); err != nil {
			t.Errorf("%s: %v\npage:   %s\nserver: %s", name, err, ex.wantBody, got)
		}
	}
}

// sameBody compares an answer with the one the page shows.
func sameBody(want, got string) error {
	var w any
	if json.Unmarshal([]byte(want), &w) == nil {
		var g any
		if err := json.Unmarshal([]byte(got), &g); err != nil {
			return fmt.Errorf("the answer is not JSON: %v", err)
		}
		return sameJSON("", w, g)
	}
	gl := strings.Split(strings.TrimRight(got, "\n"), "\n")
	wl := strings.Split(strings.TrimRight(want, "\n"), "\n")
	if !slices.Contains(wl, wildcard) {
		if !slices.Equal(gl, wl) {
			return fmt.Errorf("the body differs")
		}
		return nil
	}
	i := 0 // the lines shown must come in order, "…" standing for any
	for _, l := range wl {
		if l == wildcard {
			continue
		}
		for i < len(gl) && gl[i] != l {
			i++
		}
		if i == len(gl) {
			return fmt.Errorf("line %q is not in the answer", l)
		}
		i++
	}
	return nil
}

// sameJSON compares two decoded JSON values; the string "…" in want matches
// any value.
func sameJSON(path string, want, got any) error {
	if want == wildcard {
		if got == nil {
			return fmt.Errorf("%s: absent from the answer", path)
		}
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: the answer has %v, not an object", path, got)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				return fmt.Errorf("%s.%s: in the answer, not on the page", path, k)
			}
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s.%s: on the page, not in the answer", path, k)
			}
			if err := sameJSON(path+"."+k, wv, gv); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: the answer has %v, the page %v", path, got, want)
		}
		for i := range w {
			if err := sameJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if want != got {
		return fmt.Errorf("%s: the answer has %v, the page %v", path, got, want)
	}
	return nil
}

// TestAPIDocNamesEveryRoute: every route the server registers has its
// section in docs/api.md, so that a new endpoint cannot go undocumented.
func TestAPIDocNamesEveryRoute(t *testing.T) {
	src, err := os.ReadFile("../../server/server.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(apiDoc)
	if err != nil {
		t.Fatal(err)
	}
	routes := regexp.MustCompile(`mux\.Handle(?:Func)?\("([A-Z]+) (/[^"]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(routes) < 10 {
		t.Fatalf("only %d routes found in server/server.go", len(routes))
	}
	var headings []string
	for _, l := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(l, "## ") {
			headings = append(headings, l)
		}
	}
	for _, r := range routes {
		route := r[1] + " " + r[2]
		if !slices.ContainsFunc(headings, func(h string) bool { return strings.Contains(h, route) }) {
			t.Errorf("%s has no section in %s (a heading naming it)", route, apiDoc)
		}
	}
}

// TestServerDocNamesEveryRoute: the endpoint list of package server's
// documentation (server/doc.go, which the README sends readers to) names
// every route the server registers, as docs/api.md does.
func TestServerDocNamesEveryRoute(t *testing.T) {
	src, err := os.ReadFile("../../server/server.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../server/doc.go")
	if err != nil {
		t.Fatal(err)
	}
	routes := regexp.MustCompile(`mux\.Handle(?:Func)?\("([A-Z]+) (/[^"]*)"`).FindAllStringSubmatch(string(src), -1)
	if len(routes) < 10 {
		t.Fatalf("only %d routes found in server/server.go", len(routes))
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^//\t([A-Z]+) +(/\S*)`).FindAllStringSubmatch(string(doc), -1) {
		listed[m[1]+" "+m[2]] = true
	}
	for _, r := range routes {
		if route := r[1] + " " + r[2]; !listed[route] {
			t.Errorf("%s is not in the endpoint list of server/doc.go", route)
		}
	}
}
