package demotest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/examples/internal/postsdemo"
	"github.com/wardenhq/warden/middleware/token"
)

// RunFunc is an app's main without exiting.
type RunFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// Databases returns the --db values to test with: a fresh SQLite file
// always, and PostgreSQL and MySQL/MariaDB when their WARDEN_TEST_* DSNs are
// set (a skip message says how to set them otherwise).
func Databases(t *testing.T) map[string]string {
	dbs := map[string]string{"sqlite": filepath.Join(t.TempDir(), "posts.db")}
	if dsn := os.Getenv("WARDEN_TEST_POSTGRES_DSN"); dsn != "" {
		dbs["postgres"] = dsn
	} else {
		t.Log("PostgreSQL not tested: set WARDEN_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	}
	if dsn := os.Getenv("WARDEN_TEST_MYSQL_DSN"); dsn != "" {
		dbs["mysql"] = mysqlURL(dsn)
	} else {
		t.Log("MySQL not tested: set WARDEN_TEST_MYSQL_DSN=root:@tcp(127.0.0.1:3306)/test?parseTime=true")
	}
	return dbs
}

// mysqlURL turns the driver DSN user:pass@tcp(host:port)/db?opts into the
// mysql:// URL the app takes.
func mysqlURL(dsn string) string {
	userinfo, rest, _ := strings.Cut(dsn, "@tcp(")
	host, rest, _ := strings.Cut(rest, ")")
	return "mysql://" + userinfo + "@" + host + rest
}

// UniqueTable returns a policy table name no parallel test uses.
func UniqueTable(prefix string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// Running is a started app.
type Running struct {
	URL    string
	Tokens map[string]string
	Stdout string
	stop   func() error
}

// Stop ends the app and returns run's error.
func (r *Running) Stop() error { return r.stop() }

// Start runs the app with args and waits (bounded) for its banner.
func Start(t *testing.T, run RunFunc, args ...string) *Running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), pw, io.Discard)
		_ = pw.CloseWithError(io.EOF)
		done <- err
	}()
	r := &Running{Tokens: map[string]string{}}
	var once sync.Once
	var runErr error
	r.stop = func() error {
		once.Do(func() {
			cancel()
			runErr = <-done
		})
		return runErr
	}
	t.Cleanup(func() { _ = r.stop() })

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var out strings.Builder
	deadline := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("app ended before serving: %v\n%s", r.stop(), out.String())
			}
			out.WriteString(line + "\n")
			if u, found := strings.CutPrefix(line, "listening on "); found {
				r.URL = u
			}
			for _, user := range postsdemo.DemoUsers {
				if v, found := strings.CutPrefix(strings.TrimSpace(line), strings.ToUpper(user)+"_TOKEN="); found {
					r.Tokens[user] = v
				}
			}
			// With a generated secret the banner ends with the last curl
			// line; with a configured key it is the listening line alone.
			last := r.URL != "" && (hasKeyFlag(args) || strings.HasSuffix(line, "ALICE_TOKEN\" "+r.URL+"/posts/1"))
			if last {
				r.Stdout = out.String()
				go func() {
					for range lines { // keep the pipe drained
					}
				}()
				return r
			}
		case <-deadline:
			t.Fatalf("no banner after 30s:\n%s", out.String())
		}
	}
}

func hasKeyFlag(args []string) bool {
	for _, a := range args {
		if a == "--jwt-secret" || a == "--jwks-url" {
			return true
		}
	}
	return false
}

// Call sends one request with an optional bearer token and JSON body.
func Call(t *testing.T, method, url, tok, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// Exercise checks the demo API as the README describes it, with the tokens
// the app printed.
func Exercise(t *testing.T, r *Running) {
	t.Helper()
	alice, bob, carol := r.Tokens["alice"], r.Tokens["bob"], r.Tokens["carol"]
	if alice == "" || bob == "" || carol == "" {
		t.Fatalf("tokens not printed:\n%s", r.Stdout)
	}
	for _, want := range []string{"curl " + r.URL + "/healthz", "WARDEN_JWT_SECRET="} {
		if !strings.Contains(r.Stdout, want) {
			t.Fatalf("banner lacks %q:\n%s", want, r.Stdout)
		}
	}
	ExerciseListing(t, r)
	tests := []struct {
		name, method, path, tok, body string
		status                        int
	}{
		{"healthz is public", "GET", "/healthz", "", "", 200},
		{"posts need a token", "GET", "/posts", "", "", 401},
		{"garbage token", "GET", "/posts", "garbage", "", 401},
		{"viewer reads", "GET", "/posts", carol, "", 200},
		{"viewer cannot write", "POST", "/posts", carol, `{"title":"x"}`, 403},
		{"editor writes", "POST", "/posts", bob, `{"title":"from bob"}`, 201},
		{"editor cannot delete", "DELETE", "/posts/1", bob, "", 403},
		{"admin deletes", "DELETE", "/posts/1", alice, "", 204},
		{"admin deletes a missing post", "DELETE", "/posts/1", alice, "", 404},
		{"me needs a token", "GET", "/me", "", "", 401},
		{"unknown route is refused", "GET", "/nope", alice, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := Call(t, tt.method, r.URL+tt.path, tt.tok, tt.body)
			if tt.status == 0 {
				if status < 400 {
					t.Fatalf("status %d for an unknown route", status)
				}
				return
			}
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if status == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("WWW-Authenticate = %q", h.Get("WWW-Authenticate"))
			}
		})
	}
	// /me: groups from SQL, and from the token's groups claim (union).
	status, _, body := Call(t, "GET", r.URL+"/me", bob, "")
	var me postsdemo.Me
	if err := json.Unmarshal(body, &me); err != nil || status != 200 {
		t.Fatalf("/me: %d %s", status, body)
	}
	if me.ID != "bob" || strings.Join(me.Groups, ",") != "editor" || strings.Join(me.Permissions, ",") != "read:posts,write:posts" {
		t.Fatalf("/me for bob = %+v", me)
	}
}

// ExerciseListing checks GET /posts on the seed posts: each caller sees
// only what the visibility policy lets it read (published posts for
// viewers and up, drafts for admins, its own posts always), paginated in
// the database.
func ExerciseListing(t *testing.T, r *Running) {
	t.Helper()
	cases := []struct {
		user, query string
		want        []int
	}{
		{"carol", "", []int{1, 3, 4}},    // viewer: published, and her own draft
		{"bob", "", []int{1, 2, 4}},      // editor: published, and his own draft
		{"alice", "", []int{1, 2, 3, 4}}, // admin: drafts too
		{"alice", "?limit=2&offset=1", []int{2, 3}},
		{"carol", "?limit=1&offset=1", []int{3}}, // the offset counts visible posts only
		{"carol", "?offset=3", []int{}},
	}
	for _, c := range cases {
		if got := ListIDs(t, r.URL+"/posts"+c.query, r.Tokens[c.user]); !slices.Equal(got, c.want) {
			t.Errorf("GET /posts%s as %s: ids %v, want %v", c.query, c.user, got, c.want)
		}
	}
	for _, q := range []string{"?limit=0", "?limit=101", "?offset=-1", "?limit=x"} {
		if status, _, body := Call(t, "GET", r.URL+"/posts"+q, r.Tokens["carol"], ""); status != 400 {
			t.Errorf("GET /posts%s: %d %s", q, status, body)
		}
	}
}

// ListIDs returns the ids of GET url's posts.
func ListIDs(t *testing.T, url, tok string) []int {
	t.Helper()
	status, _, body := Call(t, "GET", url, tok, "")
	var posts []postsdemo.Post
	if err := json.Unmarshal(body, &posts); err != nil || status != 200 {
		t.Fatalf("GET %s: %d %s", url, status, body)
	}
	ids := []int{}
	for _, p := range posts {
		ids = append(ids, p.ID)
	}
	return ids
}

// Mint signs a token for the app's issuer and audience defaults.
func Mint(t *testing.T, secret, sub string, groups ...string) string {
	t.Helper()
	tok, err := token.MintHS256([]byte(secret), token.Claims{Issuer: "https://warden.local",
		Audience: []string{"posts-api"}, Subject: sub, Groups: groups, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// CheckSeededOnce fails unless the policy table holds exactly the seed.
func CheckSeededOnce(t *testing.T, db, table string) {
	t.Helper()
	g, err := config.OpenDB(db)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := g.DB()
	defer sqlDB.Close()
	var n int64
	if err := g.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != int64(len(postsdemo.Seed)) {
		t.Fatalf("%s holds %d rules, want the %d seed rules once", table, n, len(postsdemo.Seed))
	}
	t.Cleanup(func() {
		g, err := config.OpenDB(db)
		if err != nil {
			return
		}
		_ = g.Migrator().DropTable(table)
		if s, err := g.DB(); err == nil {
			_ = s.Close()
		}
	})
}

// ExerciseSecret starts the app with --jwt-secret: no tokens are printed,
// and a token minted with the secret (as `warden token` does) works, its
// groups claim counting for that request only.
func ExerciseSecret(t *testing.T, run RunFunc) {
	t.Helper()
	secret := "test-secret-0123456789-0123456789-abc"
	db := filepath.Join(t.TempDir(), "posts.db")
	r := Start(t, run, "--db", db, "--jwt-secret", secret)
	if len(r.Tokens) != 0 || strings.Contains(r.Stdout, "WARDEN_JWT_SECRET") {
		t.Fatalf("tokens printed although a secret was given:\n%s", r.Stdout)
	}
	dave := Mint(t, secret, "dave")
	daveEditor := Mint(t, secret, "dave", "editor")
	if status, _, _ := Call(t, "POST", r.URL+"/posts", dave, `{"title":"x"}`); status != 403 {
		t.Fatalf("dave without groups: %d", status)
	}
	if status, _, _ := Call(t, "POST", r.URL+"/posts", daveEditor, `{"title":"x"}`); status != 201 {
		t.Fatalf("dave with the editor claim: %d", status)
	}
	// The editor claim counts for the listing too (editors read published
	// posts) and dave sees his own post; the others' drafts stay hidden.
	if got := ListIDs(t, r.URL+"/posts", daveEditor); !slices.Equal(got, []int{1, 4, 5}) {
		t.Fatalf("dave with the editor claim lists %v, want [1 4 5]", got)
	}
	// The claim did not stick: the next request without it is denied again.
	if status, _, _ := Call(t, "POST", r.URL+"/posts", dave, `{"title":"x"}`); status != 403 {
		t.Fatalf("dave's token group leaked into shared state: %d", status)
	}
	status, _, body := Call(t, "GET", r.URL+"/me", Mint(t, secret, "carol", "beta"), "")
	var me struct{ Groups []string }
	_ = json.Unmarshal(body, &me)
	if status != 200 || strings.Join(me.Groups, ",") != "viewer,beta" {
		t.Fatalf("/me union of SQL and token groups: %d %s", status, body)
	}
	// A groups claim of the wrong shape is the caller's bad data: 403, not
	// a 503 inviting a retry with the same token.
	malformed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "https://warden.local", "aud": "posts-api", "sub": "carol", "groups": 42,
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body := Call(t, "GET", r.URL+"/me", malformed, ""); status != 403 || strings.Contains(string(body), "groups provider") {
		t.Fatalf("/me with a malformed groups claim: %d %s", status, body)
	}
	// A token whose subject is a role's name is refused (issue 10, item
	// 3): sub "admin" would hold the admin role's rules, delete:posts too.
	for _, role := range []string{"admin", "editor", "viewer"} {
		if status, _, body := Call(t, "DELETE", r.URL+"/posts/1", Mint(t, secret, role), ""); status != 403 {
			t.Fatalf("DELETE as sub %q: %d %s", role, status, body)
		}
		if status, _, body := Call(t, "GET", r.URL+"/me", Mint(t, secret, role), ""); status != 403 {
			t.Fatalf("/me as sub %q: %d %s", role, status, body)
		}
	}
	other := Mint(t, "another-secret-0123456789-0123456789", "alice")
	if status, _, _ := Call(t, "GET", r.URL+"/posts", other, ""); status != 401 {
		t.Fatalf("token of another secret: %d", status)
	}
}
