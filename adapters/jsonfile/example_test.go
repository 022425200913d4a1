package jsonfile_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/jsonfile"
)

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "jsonfile-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "policy.json")
	os.WriteFile(path, []byte(`{
  "users": {"john": ["read:posts"]},
  "roles": {"editor": ["read:posts", "write:posts"]},
  "user_roles": {"john": ["editor"]}
}`), 0o644)

	f, err := jsonfile.Open(path)
	if err != nil {
		panic(err)
	}
	tok := &warden.Token{Identity: "john"}
	groups, _ := f.Groups(context.Background(), tok)
	perms, _ := f.Permissions(context.Background(), tok)
	fmt.Println(groups, perms)

	// A broken edit is reported with its line and keeps the last good policy.
	os.WriteFile(path, []byte("{\n  \"users\": {\"john\": [\"read posts\"]}\n}"), 0o644)
	err = f.Reload(context.Background())
	fmt.Println(err != nil, len(f.Policy().Roles))
	// Output:
	// [editor] [read:posts write:posts]
	// true 1
}
