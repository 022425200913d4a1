package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// discoveryDoc is the part of an OpenID provider's metadata a verifier needs.
type discoveryDoc struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

// discover fetches {issuer}/.well-known/openid-configuration and returns its
// jwks_uri, refusing a document for another issuer.
func discover(ctx context.Context, hc *http.Client, issuer string) (string, error) {
	u := strings.TrimRight(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("%w: discovery URL %q: %w", ErrConfig, u, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: discovery %s: %w", ErrKeysUnavailable, u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: discovery %s: status %d", ErrKeysUnavailable, u, resp.StatusCode)
	}
	var doc discoveryDoc
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("%w: discovery %s: %w", ErrKeysUnavailable, u, err)
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("%w: discovery %s names issuer %q, want %q", ErrConfig, u, doc.Issuer, issuer)
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("%w: discovery %s has no jwks_uri", ErrConfig, u)
	}
	// The keys decide every token: an https issuer's keys fetched over
	// plain http could be replaced by anyone on the path.
	if ju, err := url.Parse(doc.JWKSURI); err != nil || strings.HasPrefix(strings.ToLower(issuer), "https://") && !strings.EqualFold(ju.Scheme, "https") {
		return "", fmt.Errorf("%w: discovery %s names jwks_uri %q, not https as the issuer", ErrConfig, u, doc.JWKSURI)
	}
	return doc.JWKSURI, nil
}

// noDowngrade returns a copy of hc (its transport shared) that refuses a
// redirect from https to another scheme, then applies hc's own redirect
// policy. Discovery documents and JWKS decide every token: a key fetched
// over plain http after an https URL redirected there could be replaced
// by anyone on the path. The application's client itself is not changed.
func noDowngrade(hc *http.Client) *http.Client {
	if hc == nil { // WithHTTPClient(nil): the default, as net/http's nil client
		hc = http.DefaultClient
	}
	c := *hc
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && strings.EqualFold(via[0].URL.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") {
			return fmt.Errorf("token: redirect from %s to %s refused: not https", via[0].URL.Redacted(), req.URL.Redacted())
		}
		if hc.CheckRedirect != nil {
			return hc.CheckRedirect(req, via)
		}
		if len(via) >= 10 { // net/http's default policy
			return errors.New("token: stopped after 10 redirects")
		}
		return nil
	}
	return &c
}
