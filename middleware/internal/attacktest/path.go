package attacktest

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/enforcer"
)

// PathCase is one attack on the path edge: a request-target sent as is on
// the request line, and the status a viewer gets (Viewer: a token with the
// group "viewer", which may GET /posts/:id). Carol, whom the policy denies
// /posts/*, must get 403 wherever the viewer gets 200, and the same status
// otherwise (see CarolStatus).
type PathCase struct {
	Name   string
	Target string
	Viewer int
}

// PathCases is the path attack suite. The servers under test route
// GET /posts/{id} to a handler that echoes the id, behind Strict and
// Authorize with the path mapper.
var PathCases = []PathCase{
	{"canonical", "/posts/1", 200},
	{"query is not the path", "/posts/1?x=%0A", 200},
	{"LF", "/posts/1%0A", 403},
	{"CR", "/posts/1%0D", 403},
	{"CRLF then path", "/posts/1%0D%0A/x", 403},
	{"NUL", "/posts/1%00", 403},
	{"tab", "/posts/1%09", 403},
	{"DEL", "/posts/1%7F", 403},
	{"C1 NEL", "/posts/1%C2%85", 403},
	{"invalid UTF-8", "/posts/1%FF", 403},
	{"overlong UTF-8 slash", "/posts/1%C0%AF", 403},
	{"lone continuation byte", "/posts/1%80", 403},
	{"UTF-16 surrogate", "/posts/1%ED%A0%80", 403},
	{"U+2028 line separator", "/posts/1%E2%80%A8", 403},
	{"U+2029 paragraph separator", "/posts/1%E2%80%A9", 403},
	{"U+202E bidi override", "/posts/1%E2%80%AE", 403},
	{"U+200B zero-width space", "/posts/1%E2%80%8B", 403},
	{"U+FEFF byte order mark", "/posts/1%EF%BB%BF", 403},
	{"encoded question mark", "/posts/1%3F", 403},
	{"encoded question mark, then more", "/posts/1%3Fx", 403},
	{"encoded number sign", "/posts/1%23", 403},
	{"encoded slash", "/posts%2F1", 403},
	{"encoded slash in id", "/posts/1%2F2", 403},
	{"needless escape", "/posts/%31", 403},
	{"lower-case escape", "/posts/1%c3%a9", 403},
	{"double-encoded LF is a literal", "/posts/1%250A", 200},
	{"double-encoded slash is a literal", "/posts/1%252F", 200},
	{"dot-dot segment", "/posts/..", 403},
	{"dot-dot inside", "/posts/x/../1", 403},
	{"dot segment", "/posts/./1", 403},
	{"encoded dot-dot", "/posts/%2E%2E", 403},
	{"empty segment", "/posts//1", 403},
	{"leading double slash", "//posts/1", 403},
	{"trailing slash", "/posts/1/", 403},
	{"two segments", "/posts/1/2", 403},
	{"fullwidth slash is one segment", "/posts/1%EF%BC%8F2", 200},
	{"fullwidth full stop", "/posts/%EF%BC%8E%EF%BC%8E", 200},
	{"backslash is one segment", "/posts/1%5C2", 200},
	{"space is a character", "/posts/1%20", 200},
	{"upper-case route", "/POSTS/1", 403},
	{"absolute form", "http://example.com/posts/1", 200},
	{"absolute form with LF", "http://example.com/posts/1%0A", 403},
	{"asterisk form", "*", 403},
	{"raw space", "/posts/1 x", 400},
	{"raw NUL", "/posts/1\x00", 400},
	{"raw DEL", "/posts/1\x7f", 400},
	{"raw invalid UTF-8", "/posts/1\xff", 403},
	{"raw fragment", "/posts/1#x", 403},
}

// CarolStatus is what carol gets for a case: 403 where the viewer is
// allowed (her deny on /posts/* wins), otherwise the viewer's status.
func CarolStatus(c PathCase) int {
	if c.Viewer == http.StatusOK {
		return http.StatusForbidden
	}
	return c.Viewer
}

// IssuePolicy is the policy of issue 10, item 1, over conf/model.conf.
var IssuePolicy = []enforcer.Rule{
	enforcer.P("viewer", "/posts/:id", "GET", "allow"),
	enforcer.P("carol", "/posts/*", "GET", "deny"),
	enforcer.G("carol", "viewer"),
}

// ModelPath is conf/model.conf, found from this file so that tests in any
// package can load it.
func ModelPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "conf", "model.conf")
}

// IssueEnforcer returns a real enforcer for conf/model.conf holding
// IssuePolicy.
func IssueEnforcer(t testing.TB) *enforcer.Enforcer {
	t.Helper()
	m, err := enforcer.LoadModel(ModelPath())
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(context.Background(), IssuePolicy...); err != nil {
		t.Fatal(err)
	}
	return e
}

// Send writes one GET request with target on the request line, byte for
// byte, to the server at addr ("host:port") and returns the status and
// body. No client library rewrites the target on the way.
func Send(t testing.TB, addr, target string, header http.Header) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var b strings.Builder
	b.WriteString("GET " + target + " HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n")
	for k, vs := range header {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%q: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
