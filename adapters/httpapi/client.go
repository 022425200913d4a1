package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
)

// Errors matched with errors.Is.
var (
	// ErrStatus is wrapped when the service answers with a non-2xx status;
	// see StatusError for the code.
	ErrStatus = warden.NewError(warden.ErrUnavailable, "httpapi: unexpected status")
	// ErrResponse is wrapped when the body is not a JSON list of strings.
	ErrResponse = warden.NewError(warden.ErrUnavailable, "httpapi: malformed response")
	// ErrTooLarge is wrapped when the body exceeds the size bound.
	ErrTooLarge = warden.NewError(warden.ErrUnavailable, "httpapi: response too large")
	// ErrIdentity is wrapped for an identity that cannot be a path
	// segment: "." and "..", which servers and proxies resolve as
	// relative paths even when escaped.
	ErrIdentity = warden.NewError(warden.ErrInvalid, "httpapi: identity cannot be a path segment")
)

// StatusError is the error for a non-2xx answer. The body is not kept: it
// may hold internal details that must not travel further.
type StatusError struct {
	Code int
	URL  string // without query; a password in it is redacted
}

// Error describes the status.
func (e *StatusError) Error() string {
	return fmt.Sprintf("httpapi: GET %s: status %d", e.URL, e.Code)
}

// Unwrap returns ErrStatus.
func (e *StatusError) Unwrap() error { return ErrStatus }

// Defaults used when the matching option is not given.
const (
	DefaultTimeout  = 5 * time.Second
	DefaultMaxBytes = 1 << 20
)

// Client is an HTTP groups and permissions provider: its Groups and
// Permissions methods are providers (warden.ProviderFunc(c.Groups)). It is
// safe for concurrent use.
type Client struct {
	base     *url.URL
	apiKey   string
	hc       *http.Client
	timeout  time.Duration
	maxBytes int64
}

// Option configures a Client.
type Option func(*Client)

// WithAPIKey sets the bearer key sent with every request.
func WithAPIKey(key string) Option { return func(c *Client) { c.apiKey = key } }

// WithHTTPClient sets the HTTP client (for transports, proxies, TLS).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithTimeout bounds each request (DefaultTimeout if <= 0).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithMaxBytes bounds a response body (DefaultMaxBytes if <= 0).
func WithMaxBytes(n int64) Option { return func(c *Client) { c.maxBytes = n } }

// New returns a Client for the service at base, an absolute http or https
// URL.
func New(base string, opts ...Option) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil {
		// url.Error names the whole URL, a password in it included: keep
		// only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("httpapi: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("httpapi: base URL %q must be absolute http(s)", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("httpapi: base URL %q must not have a query or fragment", u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	c := &Client{base: u, hc: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxBytes
	}
	c.hc = noDowngrade(c.hc)
	return c, nil
}

// noDowngrade returns a copy of hc (its transport shared) that refuses a
// redirect from https to another scheme, then applies hc's own redirect
// policy. An answer read over plain http after an https URL redirected
// there could be written by anyone on the path, and net/http keeps the
// Authorization header on a redirect to the same host whatever the
// scheme. The application's client itself is not changed.
func noDowngrade(hc *http.Client) *http.Client {
	if hc == nil { // WithHTTPClient(nil): the default, as net/http's nil client
		hc = http.DefaultClient
	}
	cp := *hc
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && strings.EqualFold(via[0].URL.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https") {
			return fmt.Errorf("httpapi: redirect from %s to %s refused: not https", via[0].URL.Redacted(), req.URL.Redacted())
		}
		if hc.CheckRedirect != nil {
			return hc.CheckRedirect(req, via)
		}
		if len(via) >= 10 { // net/http's default policy
			return errors.New("httpapi: stopped after 10 redirects")
		}
		return nil
	}
	return &cp
}

// Groups asks {base}/users/{id}/groups.
func (c *Client) Groups(ctx context.Context, tok *warden.Token) ([]string, error) {
	return c.fetch(ctx, tok, "groups")
}

// Permissions asks {base}/users/{id}/permissions.
func (c *Client) Permissions(ctx context.Context, tok *warden.Token) ([]string, error) {
	return c.fetch(ctx, tok, "permissions")
}

func (c *Client) fetch(ctx context.Context, tok *warden.Token, what string) ([]string, error) {
	id, err := adapters.IdentityOf(tok)
	if err != nil {
		return nil, err
	}
	if id == "." || id == ".." {
		return nil, fmt.Errorf("%w: %q", ErrIdentity, id)
	}
	// Build the path from escaped parts so that the identity is exactly
	// one segment whatever it contains.
	u := *c.base
	u.RawPath = c.base.EscapedPath() + "/users/" + url.PathEscape(id) + "/" + what
	u.Path, _ = url.PathUnescape(u.RawPath)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		// url.Error includes the URL, never the API key.
		return nil, fmt.Errorf("httpapi: %s: %w", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // let the connection be reused
		return nil, &StatusError{Code: resp.StatusCode, URL: u.Redacted()}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("httpapi: %s: read body: %w", what, err)
	}
	if int64(len(body)) > c.maxBytes {
		return nil, fmt.Errorf("%w: %s: more than %d bytes", ErrTooLarge, what, c.maxBytes)
	}
	var list []string
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("%w: %s: want a JSON list of strings: %v", ErrResponse, what, err)
	}
	if list == nil {
		return nil, fmt.Errorf("%w: %s: null", ErrResponse, what)
	}
	return adapters.Dedup(list), nil
}

// Retryable reports whether a fetch that failed with err may succeed if
// tried again: network errors, timeouts and 429/5xx statuses are; other
// statuses, malformed or oversized responses and bad identities are not. Use
// it with retry.WithRetryIf.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Code == http.StatusTooManyRequests || se.Code >= 500
	}
	return !errors.Is(err, ErrResponse) && !errors.Is(err, ErrTooLarge) &&
		!errors.Is(err, ErrIdentity) && !errors.Is(err, adapters.ErrNoIdentity) &&
		!errors.Is(err, context.Canceled)
}
