package middleware_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/middleware"
	"github.com/wardenhq/warden/models"
)

func ExampleCheckPath() {
	for _, target := range []string{"/posts/1", "/posts/1%0A", "/posts/%31", "/posts/../admin", "/posts/a%20b"} {
		u, _ := url.ParseRequestURI(target)
		fmt.Printf("%-16s %v\n", target, middleware.CheckPath(u))
	}
	// Output:
	// /posts/1         <nil>
	// /posts/1%0A      middleware: request path has characters or segments that policies and handlers read differently
	// /posts/%31       middleware: request path has escapes its decoded form does not need
	// /posts/../admin  middleware: request path has characters or segments that policies and handlers read differently
	// /posts/a%20b     <nil>
}

func ExampleRoleSource() {
	ctx := context.Background()
	m, _ := models.Load(models.RBAC)
	e, _ := enforcer.New(ctx, m, nil)
	_, _ = e.AddRules(ctx, enforcer.G("alice", "admin"))

	// The enforcer knows the roles its g rules name; RoleNames adds roles
	// that only tokens' groups grant. An Auth refuses an identity either
	// calls a role.
	for _, s := range []middleware.RoleSource{e, middleware.RoleNames{"auditor"}} {
		var line []string
		for _, name := range []string{"alice", "admin", "auditor"} {
			is, _ := s.IsRole(ctx, name)
			line = append(line, fmt.Sprintf("%s:%v", name, is))
		}
		fmt.Println(strings.Join(line, " "))
	}
	// Output:
	// alice:false admin:true auditor:false
	// alice:false admin:false auditor:true
}
