package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/adapters/httpapi"
)

// service is a fake groups service that records what it was asked.
type service struct {
	mu     sync.Mutex
	paths  []string
	auth   []string
	status int
	body   string
	hang   chan struct{}
	*httptest.Server
}

func newService(t *testing.T) *service {
	s := &service{status: 200, body: `["editors","staff","editors"]`}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.EscapedPath())
		s.auth = append(s.auth, r.Header.Get("Authorization"))
		status, body, hang := s.status, s.body, s.hang
		s.mu.Unlock()
		if hang != nil {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *service) last() (path, auth string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paths[len(s.paths)-1], s.auth[len(s.auth)-1]
}

func TestFetch(t *testing.T) {
	svc := newService(t)
	c, err := httpapi.New(svc.URL+"/api/v1/", httpapi.WithAPIKey("k3y"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	g, err := c.Groups(ctx, &warden.Token{Identity: "alice", Raw: "caller-token"})
	if err != nil || !reflect.DeepEqual(g, []string{"editors", "staff"}) {
		t.Fatalf("Groups = %v, %v", g, err)
	}
	path, auth := svc.last()
	if path != "/api/v1/users/alice/groups" || auth != "Bearer k3y" {
		t.Fatalf("request: path %q auth %q", path, auth)
	}
	svc.body = `["read:posts"]`
	p, err := c.Permissions(ctx, &warden.Token{Identity: "alice"})
	if err != nil || !reflect.DeepEqual(p, []string{"read:posts"}) {
		t.Fatalf("Permissions = %v, %v", p, err)
	}
	if path, _ := svc.last(); path != "/api/v1/users/alice/permissions" {
		t.Fatalf("path %q", path)
	}
}

func TestIdentityIsOnePathSegment(t *testing.T) {
	svc := newService(t)
	c, _ := httpapi.New(svc.URL)
	tests := []struct{ id, path string }{
		{"a/b", "/users/a%2Fb/groups"},
		{"../admin", "/users/..%2Fadmin/groups"},
		{"' OR 1=1 --", "/users/%27%20OR%201=1%20--/groups"},
		{"x?y#z", "/users/x%3Fy%23z/groups"},
		{"ünï", "/users/%C3%BCn%C3%AF/groups"},
		{"%2F", "/users/%252F/groups"},
	}
	for _, tt := range tests {
		if _, err := c.Groups(context.Background(), &warden.Token{Identity: tt.id}); err != nil {
			t.Fatalf("%q: %v", tt.id, err)
		}
		if path, _ := svc.last(); path != tt.path {
			t.Errorf("identity %q: path %q, want %q", tt.id, path, tt.path)
		}
	}
	for _, id := range []string{".", ".."} {
		if _, err := c.Groups(context.Background(), &warden.Token{Identity: id}); !errors.Is(err, httpapi.ErrIdentity) {
			t.Errorf("identity %q: err = %v, want ErrIdentity", id, err)
		}
	}
	if _, err := c.Groups(context.Background(), &warden.Token{}); !errors.Is(err, adapters.ErrNoIdentity) {
		t.Fatalf("empty identity: %v", err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"500", 500, `internal: db password is hunter2`, httpapi.ErrStatus},
		{"404", 404, `[]`, httpapi.ErrStatus},
		{"401", 401, ``, httpapi.ErrStatus},
		{"not JSON", 200, `editors`, httpapi.ErrResponse},
		{"object", 200, `{"groups":["a"]}`, httpapi.ErrResponse},
		{"numbers", 200, `[1,2]`, httpapi.ErrResponse},
		{"null", 200, `null`, httpapi.ErrResponse},
		{"too large", 200, `["` + strings.Repeat("a", 200) + `"]`, httpapi.ErrTooLarge},
	}
	svc := newService(t)
	c, _ := httpapi.New(svc.URL, httpapi.WithMaxBytes(100))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc.mu.Lock()
			svc.status, svc.body = tt.status, tt.body
			svc.mu.Unlock()
			got, err := c.Groups(context.Background(), &warden.Token{Identity: "alice"})
			if got != nil || !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error carries the response body: %v", err)
			}
			var se *httpapi.StatusError
			if tt.want == httpapi.ErrStatus && (!errors.As(err, &se) || se.Code != tt.status) {
				t.Fatalf("want StatusError %d, got %v", tt.status, err)
			}
		})
	}
	svc.mu.Lock()
	svc.status, svc.body = 200, `[]`
	svc.mu.Unlock()
	if got, err := c.Groups(context.Background(), &warden.Token{Identity: "alice"}); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("empty list: %#v, %v", got, err)
	}
}

func TestTimeout(t *testing.T) {
	svc := newService(t)
	svc.hang = make(chan struct{})
	defer close(svc.hang)
	c, _ := httpapi.New(svc.URL, httpapi.WithTimeout(20*time.Millisecond))
	got, err := c.Groups(context.Background(), &warden.Token{Identity: "alice"})
	if got != nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, %v; want a deadline error", got, err)
	}
}

func TestServiceDown(t *testing.T) {
	svc := newService(t)
	url := svc.URL
	svc.Close()
	c, _ := httpapi.New(url, httpapi.WithAPIKey("s3cret"))
	_, err := c.Groups(context.Background(), &warden.Token{Identity: "alice"})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("err = %v", err)
	}
}

func TestNewRejectsBadBase(t *testing.T) {
	for _, base := range []string{"", "example.com", "ftp://x", "http://x/?q=1", "http:///path", "://"} {
		if _, err := httpapi.New(base); err == nil {
			t.Errorf("base %q accepted", base)
		}
	}
}

func ExampleNew() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k3y" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `["editors"]`)
	}))
	defer srv.Close()

	c, err := httpapi.New(srv.URL, httpapi.WithAPIKey("k3y"), httpapi.WithTimeout(2*time.Second))
	if err != nil {
		panic(err)
	}
	groups, err := c.Groups(context.Background(), &warden.Token{Identity: "alice"})
	fmt.Println(groups, err)
	// Output: [editors] <nil>
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&httpapi.StatusError{Code: 503}, true},
		{&httpapi.StatusError{Code: 429}, true},
		{&httpapi.StatusError{Code: 404}, false},
		{&httpapi.StatusError{Code: 401}, false},
		{fmt.Errorf("x: %w", httpapi.ErrResponse), false},
		{fmt.Errorf("x: %w", httpapi.ErrTooLarge), false},
		{fmt.Errorf("x: %w", httpapi.ErrIdentity), false},
		{adapters.ErrNoIdentity, false},
		{context.Canceled, false},
		{context.DeadlineExceeded, true},
		{errors.New("connection refused"), true},
	}
	for _, tt := range tests {
		if got := httpapi.Retryable(tt.err); got != tt.want {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
