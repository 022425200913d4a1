package middleware_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware/internal/jwttest"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
)

const (
	iss = "https://issuer.example"
	aud = "posts-api"
)

// claimsFor returns valid claims for sub with the given groups claim.
func claimsFor(sub string, groups ...string) jwt.MapClaims {
	c := jwt.MapClaims{
		"iss": iss, "aud": aud, "sub": sub,
		"iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix(),
	}
	if groups != nil {
		c["groups"] = groups
	}
	return c
}

func newVerifier(t testing.TB, opts ...token.Option) *token.Verifier {
	t.Helper()
	v, err := token.New(context.Background(), append([]token.Option{
		token.WithIssuer(iss), token.WithAudience(aud), token.WithLogger(discard()),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// newEnforcer returns a real enforcer for an embedded model with rules.
func newEnforcer(t testing.TB, model string, rules ...enforcer.Rule) *enforcer.Enforcer {
	t.Helper()
	m, err := models.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enforcer.New(context.Background(), m, nil, enforcer.WithLogger(discard()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddRules(context.Background(), rules...); err != nil {
		t.Fatal(err)
	}
	return e
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type response struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

// do sends a request to a real listener.
func do(t testing.TB, method, url string, header http.Header) response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, body: string(b)}
	_ = json.Unmarshal(b, &r.json)
	return r
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

// hmacKey is shared by tests that need no particular key type.
func hmacKey(t testing.TB) jwttest.Key { return jwttest.Secret(t) }

func slogJSON(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// claimPermissions reads the "permissions" claim the way a service would,
// through adapters/claims.
func claimPermissions(tok *warden.Token) ([]string, error) {
	p, err := claims.New(claims.WithPermissionsClaim("permissions"))
	if err != nil {
		return nil, err
	}
	return p.Permissions(context.Background(), tok)
}
