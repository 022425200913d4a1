package models_test

import (
	"fmt"

	"github.com/casbin/casbin/v2"

	"github.com/wardenhq/warden/models"
)

func ExampleLoad() {
	m, err := models.Load(models.Permissions)
	if err != nil {
		fmt.Println(err)
		return
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = e.AddPolicy("editor", "posts:*", "allow")
	_, _ = e.AddGroupingPolicy("alice", "editor")

	for _, perm := range []string{"posts:write", "users:write"} {
		ok, _ := e.Enforce("alice", perm)
		fmt.Println(perm, ok)
	}
	// Output:
	// posts:write true
	// users:write false
}

func ExampleNames() {
	fmt.Println(models.Names())
	// Output:
	// [abac permissions rbac rbac_deny rbac_domains restful]
}
