package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const readme = "../../README.md"

// readmeSection returns the shell blocks of README.md's section heading.
func readmeSection(t *testing.T, heading string) []string {
	t.Helper()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## "+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no section %q", heading)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	var blocks []string
	for {
		_, rest, ok := strings.Cut(sec, "```sh\n")
		if !ok {
			return blocks
		}
		block, after, _ := strings.Cut(rest, "```")
		blocks, sec = append(blocks, block), after
	}
}

// TestReadmeQuickStart: the quick start gets the code before it runs
// anything from it, into the directory it then enters, and its test
// command is the one CI runs.
func TestReadmeQuickStart(t *testing.T) {
	blocks := readmeSection(t, "Quick start")
	if len(blocks) < 2 {
		t.Fatalf("Quick start has %d shell blocks, want the demo's and the tests'", len(blocks))
	}
	demo := strings.Split(strings.TrimSpace(blocks[0]), "\n")
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	module := strings.TrimPrefix(strings.SplitN(string(gomod), "\n", 2)[0], "module ")
	wantClone := "git clone https://" + module + " && cd " + filepath.Base(module)
	if len(demo) != 2 || demo[0] != wantClone || demo[1] != "go run ./examples/echo-posts" {
		t.Errorf("the demo block is %q; want %q, then go run ./examples/echo-posts", demo, wantClone)
	}
	tests := strings.TrimSpace(blocks[1])
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(regexp.MustCompile(`(?m)^go test .*$`).FindString(string(ci)), " 2>&1")
	var fields []string
	for _, f := range strings.Fields(line) {
		if f != "-v" {
			fields = append(fields, f)
		}
	}
	run := strings.Join(fields, " ")
	if tests != "go test -race -count=1 -timeout 30m ./..." || run != tests {
		t.Errorf("the README's test command is %q and .ci/run runs %q (without -v): they must be go test -race -count=1 -timeout 30m ./...", tests, run)
	}
}

// TestReadmeWorksOnAFreshClone follows the quick start on a fresh clone of
// this commit: it builds and starts the demo there (it answers /healthz),
// and compiles every package and test there (go vet ./...) and runs the
// tests of the default model and policy files. It also refuses a test
// fixture that .gitignore keeps out of the repository, which a fresh clone
// would lack.
func TestReadmeWorksOnAFreshClone(t *testing.T) {
	if testing.Short() {
		t.Skip("clones the repository and builds it; run without -short")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: no clone to test")
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skip("not a git checkout (a source archive): no clone to test")
	}
	root := strings.TrimSpace(string(top))
	ignored, err := exec.Command("git", "-C", root, "ls-files", "--others", "--ignored", "--exclude-standard").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(ignored)) {
		if strings.Contains("/"+f, "/testdata/") {
			t.Errorf("%s is in a testdata folder but ignored by .gitignore: a fresh clone lacks it", f)
		}
	}
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	clone := filepath.Join(t.TempDir(), "warden")
	for _, args := range [][]string{{"clone", "--quiet", "--no-checkout", root, clone}, {"-C", clone, "checkout", "--quiet", strings.TrimSpace(string(head))}} {
		if out, err := exec.Command("git", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	// -trimpath: builds of other clones are cached, whatever their path.
	gocmd := func(args ...string) {
		t.Helper()
		cmd := exec.Command("go", args...)
		cmd.Dir = clone
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the clone: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	demo := filepath.Join(t.TempDir(), "echo-posts")
	gocmd("build", "-trimpath", "-o", demo, "./examples/echo-posts")
	runDemo(t, demo, clone)
	gocmd("vet", "-trimpath", "./...")
	gocmd("test", "-trimpath", "-count=1", "./conf/", "./models/")
}

// runDemo starts the demo in dir as the quick start does (on its own
// port), checks that it answers, and stops it.
func runDemo(t *testing.T, bin, dir string) {
	t.Helper()
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuf
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	url := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "listening on "); ok {
				url <- u
			}
		}
		close(url)
	}()
	var base string
	select {
	case u, ok := <-url:
		if !ok {
			t.Fatalf("the demo exited before listening:\n%s", stderr.String())
		}
		base = u
	case <-time.After(time.Minute):
		t.Fatalf("the demo did not listen within a minute:\n%s", stderr.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the demo: GET /healthz: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("the demo: GET /healthz is %d", res.StatusCode)
	}
}

// TestReadmeCLIExample runs the CLI section's example, from a directory
// that is not the repository: each "warden ..." line must print what the
// "# ..." lines after it show.
func TestReadmeCLIExample(t *testing.T) {
	blocks := readmeSection(t, "The CLI")
	if len(blocks) == 0 {
		t.Fatal("the CLI section has no shell block")
	}
	t.Chdir(t.TempDir())
	var (
		args []string
		want strings.Builder
		ran  int
	)
	check := func() {
		if args == nil {
			return
		}
		var stdout bytes.Buffer
		run(args, &stdout, &bytes.Buffer{})
		if stdout.String() != want.String() {
			t.Errorf("README: warden %s prints\n%s\nthe README shows\n%s", strings.Join(args, " "), stdout.String(), want.String())
		}
		ran++
		args = nil
		want.Reset()
	}
	for _, l := range strings.Split(blocks[0], "\n") {
		switch {
		case strings.HasPrefix(l, "warden "):
			check()
			args = strings.Fields(strings.TrimPrefix(l, "warden "))
		case strings.HasPrefix(l, "# ") && args != nil:
			want.WriteString(strings.TrimPrefix(l, "# ") + "\n")
		}
	}
	check()
	if ran < 2 {
		t.Errorf("ran %d commands of the CLI example", ran)
	}
}
