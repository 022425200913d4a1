package postsdemo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/server"
)

// Seed is the policy written on first start: roles with permissions, and
// users in roles.
var Seed = []enforcer.Rule{
	enforcer.P("admin", "*", "allow"),
	enforcer.P("editor", "read:posts", "allow"),
	enforcer.P("editor", "write:posts", "allow"),
	enforcer.P("viewer", "read:posts", "allow"),
	enforcer.G("alice", "admin"),
	enforcer.G("bob", "editor"),
	enforcer.G("carol", "viewer"),
}

// DemoUsers get a printed token when the app generates its secret.
var DemoUsers = []string{"alice", "bob", "carol"}

// App is everything the demo's routes need.
type App struct {
	Config   Config
	Enforcer *enforcer.Enforcer
	Auth     *middleware.Auth
	Posts    *Posts
	// Visibility decides which posts a caller may read (VisibilityModel).
	Visibility *enforcer.Enforcer
	// Secret is the HMAC secret, generated when no key was configured.
	Secret []byte
	// Tokens are ready tokens for DemoUsers, set when Secret was generated.
	Tokens map[string]string

	verifier *token.Verifier
	closeDB  func() error
}

// Setup opens the database, loads (and on first start seeds) the policy,
// and builds the verifier and the middleware.
func Setup(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	db, err := config.OpenDB(cfg.DB)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	app := &App{Config: cfg, closeDB: sqlDB.Close}
	fail := func(err error) (*App, error) {
		_ = app.Close()
		return nil, err
	}
	if app.Posts, err = NewPosts(); err != nil {
		return fail(err)
	}
	if app.Visibility, err = newVisibility(ctx); err != nil {
		return fail(fmt.Errorf("visibility policy: %w", err))
	}
	adapter, err := sqlstore.CasbinRuleAdapter(ctx, db, cfg.Table)
	if err != nil {
		return fail(err)
	}
	m, err := models.Load(models.Permissions)
	if err != nil {
		return fail(err)
	}
	if app.Enforcer, err = enforcer.New(ctx, m, adapter, enforcer.WithLogger(logger)); err != nil {
		return fail(fmt.Errorf("load policy: %w", err))
	}
	if len(app.Enforcer.Rules("p")) == 0 && len(app.Enforcer.Rules("g")) == 0 {
		if _, err := app.Enforcer.AddRules(ctx, Seed...); err != nil {
			return fail(fmt.Errorf("seed policy: %w", err))
		}
		logger.Info("seeded the policy", "rules", len(Seed), "table", cfg.Table)
	}

	opts := []token.Option{token.WithIssuer(cfg.Issuer), token.WithAudience(cfg.Audience), token.WithLogger(logger)}
	switch {
	case cfg.JWKSURL != "":
		opts = append(opts, token.WithJWKSURL(cfg.JWKSURL))
	case cfg.JWTSecret != "":
		app.Secret = []byte(cfg.JWTSecret)
	default:
		// The secret is printable text so that the printed
		// WARDEN_JWT_SECRET, passed back in, is the same key.
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return fail(err)
		}
		app.Secret = []byte(base64.RawURLEncoding.EncodeToString(raw))
		if app.Tokens, err = app.mintDemoTokens(); err != nil {
			return fail(err)
		}
	}
	if app.Secret != nil {
		opts = append(opts, token.WithHMACSecret(app.Secret))
	}
	if app.verifier, err = token.New(ctx, opts...); err != nil {
		return fail(err)
	}
	app.Auth, err = middleware.New(
		middleware.WithVerifier(app.verifier),
		middleware.WithDecider(app.Enforcer),
		middleware.WithGroups(SQLGroups(app.Enforcer), token.ClaimGroups("groups")),
		middleware.WithPermissions(EffectivePermissions(app.Enforcer)),
		middleware.WithPublic("GET /healthz"),
		middleware.WithLogger(logger),
	)
	if err != nil {
		return fail(err)
	}
	return app, nil
}

func (a *App) mintDemoTokens() (map[string]string, error) {
	out := make(map[string]string, len(DemoUsers))
	for _, u := range DemoUsers {
		t, err := token.MintHS256(a.Secret, token.Claims{
			Issuer: a.Config.Issuer, Audience: []string{a.Config.Audience}, Subject: u, TTL: 12 * time.Hour,
		})
		if err != nil {
			return nil, err
		}
		out[u] = t
	}
	return out, nil
}

// Close releases the verifier and the database.
func (a *App) Close() error {
	if a.verifier != nil {
		_ = a.verifier.Close()
	}
	if a.Posts != nil {
		_ = a.Posts.Close()
	}
	if a.closeDB != nil {
		return a.closeDB()
	}
	return nil
}

// PrintBanner writes where the app listens and, with a generated secret,
// the demo tokens and curl lines to try.
func (a *App) PrintBanner(w io.Writer, url string) {
	fmt.Fprintf(w, "listening on %s\n", url)
	if a.Tokens == nil {
		return
	}
	fmt.Fprintf(w, "\nNo --jwt-secret or --jwks-url given: generated an HMAC secret for this run:\n  WARDEN_JWT_SECRET=%s\n",
		a.Secret)
	fmt.Fprintln(w, "\nDemo tokens (valid 12h; alice is admin, bob editor, carol viewer):")
	for _, u := range DemoUsers {
		fmt.Fprintf(w, "  %s=%s\n", tokenVar(u), a.Tokens[u])
	}
	fmt.Fprintln(w, "\nTry:")
	fmt.Fprintf(w, "  curl %s/healthz\n", url)
	fmt.Fprintf(w, "  curl -H \"Authorization: Bearer $%s\" %s/me\n", tokenVar("carol"), url)
	fmt.Fprintf(w, "  curl -H \"Authorization: Bearer $%s\" %s/posts\n", tokenVar("carol"), url)
	fmt.Fprintf(w, "  curl -X POST -H \"Authorization: Bearer $%s\" -d '{\"title\":\"hello\"}' %s/posts   # 403\n", tokenVar("carol"), url)
	fmt.Fprintf(w, "  curl -X POST -H \"Authorization: Bearer $%s\" -d '{\"title\":\"hello\"}' %s/posts\n", tokenVar("bob"), url)
	fmt.Fprintf(w, "  curl -X DELETE -H \"Authorization: Bearer $%s\" %s/posts/1   # 403\n", tokenVar("bob"), url)
	fmt.Fprintf(w, "  curl -X DELETE -H \"Authorization: Bearer $%s\" %s/posts/1\n", tokenVar("alice"), url)
}

func tokenVar(user string) string {
	b := []byte(user)
	for i := range b {
		b[i] -= 'a' - 'A'
	}
	return string(b) + "_TOKEN"
}

// MeOf builds the /me body. Groups and permissions are fetched here, on
// demand, once for the request. Its error wraps middleware.ErrUnavailable
// and the provider's cause, for the Auth's error handler: StatusOf makes a
// malformed claim in the caller's token 403 and anything else 503.
func MeOf(ctx context.Context, u *middleware.User) (Me, error) {
	groups, err := u.Groups(ctx)
	if err != nil {
		return Me{}, errors.Join(middleware.ErrUnavailable, err)
	}
	perms, err := u.Permissions(ctx)
	if err != nil {
		return Me{}, errors.Join(middleware.ErrUnavailable, err)
	}
	if groups == nil {
		groups = []string{}
	}
	if perms == nil {
		perms = []string{}
	}
	return Me{ID: u.ID(), Name: u.Name(), Email: u.Email(), Groups: groups, Permissions: perms}, nil
}

// Run is the body of both demo mains: parse flags, set up, listen, print the
// banner and serve until ctx ends. routes builds the app's handler.
func Run(ctx context.Context, name string, args []string, stdout, stderr io.Writer, routes func(*App) (http.Handler, error)) error {
	cfg, err := ParseFlags(name, args, nil, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	app, err := Setup(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer app.Close()
	h, err := routes(app)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	app.PrintBanner(stdout, "http://"+ln.Addr().String())
	return server.Serve(ctx, ln, h)
}
