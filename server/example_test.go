package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/claims"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/middleware/token"
	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/policyadmin"
	"github.com/wardenhq/warden/server"
)

// A server on SQLite, seeded with the default policy; an administrator asks
// why bob may read a post.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "warden-example")
	defer os.RemoveAll(dir)
	db, _ := config.OpenDB("sqlite://" + filepath.Join(dir, "warden.db"))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	m, _ := enforcer.LoadModel("../conf/model.conf")
	policy, _ := policyadmin.OpenEnforcer(ctx, db, m, policyadmin.DefaultPolicyTable, quiet)
	am, _ := models.Load(models.Permissions)
	admin, _ := policyadmin.OpenEnforcer(ctx, db, am, policyadmin.DefaultAdminTable, quiet)
	log, _ := audit.New(ctx, db, audit.WithLogger(quiet))
	seed, _ := policyadmin.ReadPolicyFile(ctx, m, "../conf/policy.csv")
	_, _ = policyadmin.Seed(ctx, policy, log, policyadmin.ScopePolicy, "system", seed)
	_, _ = policyadmin.Seed(ctx, admin, log, policyadmin.ScopeAdmin, "system", policyadmin.AdminSeed)

	key := []byte("an example secret of 32 bytes or more")
	v, _ := token.New(ctx, token.WithIssuer("https://idp"), token.WithAudience("warden"), token.WithHMACSecret(key))
	cp, _ := claims.New()
	auth, _ := middleware.New(middleware.WithVerifier(v), middleware.WithGroups(warden.ProviderFunc(cp.Groups)), middleware.WithPermissions(warden.ProviderFunc(cp.Permissions)), middleware.WithLogger(quiet))
	srv, _ := server.New(server.WithPolicy(policy), server.WithAdmin(admin), server.WithAuth(auth), server.WithAudit(log), server.WithLogger(quiet))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	// The caller's token makes it a member of warden-admin.
	tok, _ := token.MintHS256(key, token.Claims{Issuer: "https://idp", Audience: []string{"warden"}, Subject: "ops",
		Groups: []string{policyadmin.AdminRole}, TTL: time.Minute})
	req, _ := http.NewRequest("POST", ts.URL+"/v1/check", strings.NewReader(`{"sub":"bob","obj":"/posts/42","act":"GET"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, string(body))
	// Output:
	// 200 {"request":{"act":"GET","obj":"/posts/42","sub":"bob"},"allowed":true,"effect":"allow","rule":{"ptype":"p","values":["viewer","/posts/:id","GET","allow"]},"chain":["bob","editor","viewer"]}
}
