package filewatch_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/filewatch"
	"github.com/wardenhq/warden/adapters/jsonfile"
)

// configMap lays out dir the way the kubelet mounts a ConfigMap: the data in
// a versioned directory, ..data a symlink to it, and the file a symlink to
// ..data/FILE.
type configMap struct {
	t        *testing.T
	dir      string
	file     string
	versions int
	current  string
}

func newConfigMap(t *testing.T, file, data string) *configMap {
	t.Helper()
	c := &configMap{t: t, dir: t.TempDir(), file: file}
	c.update(data)
	if err := os.Symlink(filepath.Join("..data", file), filepath.Join(c.dir, file)); err != nil {
		t.Fatal(err)
	}
	return c
}

// update publishes data as the kubelet's atomic writer does: a new
// versioned directory, a ..data_tmp symlink to it renamed over ..data, then
// the old version removed. No event names the file itself.
func (c *configMap) update(data string) {
	c.t.Helper()
	c.versions++
	version := "..2026_11_23_05_40_0" + string(rune('0'+c.versions)) + ".123456789"
	if err := os.Mkdir(filepath.Join(c.dir, version), 0o755); err != nil {
		c.t.Fatal(err)
	}
	write(c.t, filepath.Join(c.dir, version, c.file), data)
	tmp := filepath.Join(c.dir, "..data_tmp")
	if err := os.Symlink(version, tmp); err != nil {
		c.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(c.dir, "..data")); err != nil {
		c.t.Fatal(err)
	}
	if c.current != "" {
		if err := os.RemoveAll(filepath.Join(c.dir, c.current)); err != nil {
			c.t.Fatal(err)
		}
	}
	c.current = version
}

func TestFollowsConfigMapUpdates(t *testing.T) {
	cm := newConfigMap(t, "policy.json", `{"users": {"john": ["read:posts"]}}`)
	path := filepath.Join(cm.dir, "policy.json")
	f, err := jsonfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	reloaded := make(chan error, 16)
	w, err := filewatch.New(path, filewatch.WithQuiet(20*time.Millisecond),
		filewatch.WithReload(func(ctx context.Context) error {
			err := f.Reload(ctx)
			reloaded <- err
			return err
		}))
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
	if got := perms(); got != "read:posts" {
		t.Fatalf("initial: %q", got)
	}
	// Twice, so the watcher is seen to follow the new target, not only
	// the first swap. Each wait is bounded (wait fails after 10s).
	for _, want := range []string{"write:posts", "edit:posts"} {
		cm.update(`{"users": {"john": ["` + want + `"]}}`)
		for {
			if err := wait(t, reloaded, "reload after the ..data swap"); err != nil {
				t.Fatalf("reload: %v", err)
			}
			if perms() == want {
				break
			}
		}
	}
}

// TestFollowsSymlinkTargetInSameDirectory checks that a file that is a
// symlink to a sibling reloads when the sibling is written in place, though
// no event names the watched name.
func TestFollowsSymlinkTargetInSameDirectory(t *testing.T) {
	dir := t.TempDir()
	target, path := filepath.Join(dir, "policy-v1.json"), filepath.Join(dir, "policy.json")
	write(t, target, `{"users": {"john": ["read:posts"]}}`)
	if err := os.Symlink("policy-v1.json", path); err != nil {
		t.Fatal(err)
	}
	f, err := jsonfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	reloaded := make(chan error, 16)
	w, err := filewatch.New(path, filewatch.WithQuiet(20*time.Millisecond),
		filewatch.WithReload(func(ctx context.Context) error {
			err := f.Reload(ctx)
			reloaded <- err
			return err
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	write(t, target, `{"users": {"john": ["write:posts"]}}`)
	for {
		// An in-place write may be seen half done (an error, last good
		// kept) before the reload of the whole file.
		err := wait(t, reloaded, "reload after the target changed")
		p, perr := f.Permissions(context.Background(), &warden.Token{Identity: "john"})
		if perr != nil {
			t.Fatal(perr)
		}
		if err == nil && strings.Join(p, " ") == "write:posts" {
			break
		}
	}
}
