package filewatch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/csvfile"
	"github.com/wardenhq/warden/adapters/filewatch"
	"github.com/wardenhq/warden/adapters/jsonfile"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

// wait returns the next value from ch, failing the test after 10 seconds.
func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// drain empties ch of reports of transient states that are already over.
func drain(ch chan error) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace writes data to a temporary file and renames it over path, the way
// editors and deploy tools do.
func replace(t *testing.T, path, data string) {
	t.Helper()
	tmp := path + ".tmp~"
	write(t, tmp, data)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestJSONFileReloads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.json")
	write(t, path, `{"users": {"john": ["read:posts"]}}`)
	f, err := jsonfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	reloaded := make(chan error, 16)
	errs := make(chan error, 16)
	w, err := filewatch.New(path,
		filewatch.WithReload(func(ctx context.Context) error {
			err := f.Reload(ctx)
			reloaded <- err
			return err
		}),
		filewatch.WithErrorHandler(func(err error) { errs <- err }),
		filewatch.WithQuiet(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	perms := func() string {
		p, err := f.Permissions(context.Background(), &warden.Token{Identity: "john"})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(p, " ")
	}

	// An in-place write truncates, then writes: a reload may see the empty
	// file in between (an error, last good kept) before the one that
	// loads the new content.
	write(t, path, `{"users": {"john": ["write:posts"]}}`)
	for wait(t, reloaded, "reload after write") != nil {
	}
	if got := perms(); got != "write:posts" {
		t.Fatalf("after in-place write: %q", got)
	}

	replace(t, path, `{"users": {"john": ["edit:posts"]}}`)
	if err := wait(t, reloaded, "reload after rename"); err != nil {
		t.Fatal(err)
	}
	if got := perms(); got != "edit:posts" {
		t.Fatalf("after rename over the file: %q", got)
	}

	// Other files in the directory are ignored.
	write(t, filepath.Join(dir, "other.json"), "{")

	drain(errs)
	replace(t, path, "{\n  \"users\": {\"john\": [\"*\"]\n")
	if err := wait(t, reloaded, "reload of a bad file"); err == nil {
		t.Fatal("bad file loaded")
	}
	rep := wait(t, errs, "error report")
	var pe *jsonfile.ParseError
	if !errors.As(rep, &pe) || !strings.Contains(rep.Error(), "policy.json:2") {
		t.Fatalf("report = %v, want a ParseError at policy.json:2", rep)
	}
	if got := perms(); got != "edit:posts" {
		t.Fatalf("bad file replaced the last good one: %q", got)
	}

	// Removed and created again (some editors do this).
	os.Remove(path)
	write(t, path, `{"users": {"john": ["x:y"]}}`)
	for wait(t, reloaded, "reload after re-create") != nil {
	}
	if got := perms(); got != "x:y" {
		t.Fatalf("after re-create: %q", got)
	}
}

func TestCSVPolicyReloadsEnforcer(t *testing.T) {
	dir := t.TempDir()
	modelText, err := models.Text(models.RBAC)
	if err != nil {
		t.Fatal(err)
	}
	modelPath, policyPath := filepath.Join(dir, "model.conf"), filepath.Join(dir, "policy.csv")
	write(t, modelPath, modelText)
	write(t, policyPath, "p, editor, /posts, GET\ng, alice, editor\n")
	ctx := context.Background()
	e, err := enforcer.NewFromFiles(ctx, modelPath, policyPath)
	if err != nil {
		t.Fatal(err)
	}
	reloaded := make(chan error, 16)
	w, err := filewatch.New(policyPath, filewatch.WithQuiet(20*time.Millisecond),
		filewatch.WithReload(func(ctx context.Context) error {
			err := e.Reload(ctx)
			reloaded <- err
			return err
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	allowed := func(sub string) bool {
		ok, err := e.Enforce(ctx, sub, "/posts", "GET")
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !allowed("alice") || allowed("bob") {
		t.Fatal("initial policy")
	}

	replace(t, policyPath, "p, editor, /posts, GET\ng, bob, editor\n")
	if err := wait(t, reloaded, "reload"); err != nil {
		t.Fatal(err)
	}
	if allowed("alice") || !allowed("bob") {
		t.Fatal("new policy not in force")
	}

	replace(t, policyPath, "p, editor, /posts, GET\ng, bob, editor\ng, carol\n")
	err = wait(t, reloaded, "reload of a bad file")
	if !errors.Is(err, csvfile.ErrFieldCount) || !strings.Contains(err.Error(), "policy.csv:3") {
		t.Fatalf("err = %v, want a field-count error at policy.csv:3", err)
	}
	if !allowed("bob") || allowed("carol") {
		t.Fatal("bad file changed the policy in force")
	}
}

func TestSetWatcherOnEnforcer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.json")
	write(t, path, `{"users": {"john": ["read:posts"]}}`)
	f, err := jsonfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.Load(models.Permissions)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e, err := enforcer.New(ctx, m, f)
	if err != nil {
		t.Fatal(err)
	}
	w, err := filewatch.New(path, filewatch.WithQuiet(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := e.SetWatcher(w); err != nil {
		t.Fatal(err)
	}
	replace(t, path, `{"users": {"mary": ["read:posts"]}}`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, _ := e.Enforce(ctx, "mary", "read:posts")
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("enforcer did not reload through SetWatcher")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if ok, _ := e.Enforce(ctx, "john", "read:posts"); ok {
		t.Fatal("old rule still in force")
	}
}

func TestNewFailsForMissingDirectory(t *testing.T) {
	if _, err := filewatch.New(filepath.Join(t.TempDir(), "nope", "policy.csv")); err == nil {
		t.Fatal("watching a file in a missing directory succeeded")
	}
}
