package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/httpapi"
)

// TestStatusErrorHidesPassword: a base URL may carry credentials
// (https://user:pass@host); a non-2xx answer's error, which goes to logs,
// named the URL with the password in it.
func TestStatusErrorHidesPassword(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	c, err := httpapi.New(strings.Replace(srv.URL, "http://", "http://svc:hunter2@", 1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Groups(context.Background(), &warden.Token{Identity: "alice"})
	var se *httpapi.StatusError
	if !errors.As(err, &se) || se.Code != http.StatusNotFound {
		t.Fatalf("err = %v, want a 404 StatusError", err)
	}
	if strings.Contains(err.Error(), "hunter2") || strings.Contains(se.URL, "hunter2") {
		t.Fatalf("error shows the password: %v", err)
	}
}

// TestNewErrorsHidePassword: a base URL that New refuses is named in the
// error, which goes to the log at start, without its password.
func TestNewErrorsHidePassword(t *testing.T) {
	for _, base := range []string{
		"ftp://svc:hunter2@example.com",
		"http://svc:hunter2@example.com/?q=1",
		"http://svc:hunter2@example.com/%zz",
	} {
		_, err := httpapi.New(base)
		if err == nil {
			t.Fatalf("New(%q) succeeded", base)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("New error shows the password: %v", err)
		}
	}
}
