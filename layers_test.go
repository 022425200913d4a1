package warden_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/wardenhq/warden"

// listedPackage is the part of `go list -json` the layer test reads.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

// goList runs `go list -json` with args and decodes every package.
func goList(t *testing.T, args ...string) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// fencedBlock returns the lines of the first ```name block of a Markdown
// file, without blank lines and # comments, each with its line number.
func fencedBlock(t *testing.T, file, name string) map[int]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[int]string{}
	in, found := false, false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case !in && line == "```"+name:
			in, found = true, true
		case in && line == "```":
			in = false
		case in && line != "" && !strings.HasPrefix(line, "#"):
			lines[n] = line
		}
		if found && !in {
			if len(lines) > 0 {
				break
			}
		}
	}
	if !found {
		t.Fatalf("%s has no ```%s block", file, name)
	}
	return lines
}

const testLayer = -1

// layerTable maps a package pattern ("server", "adapters/...") to its layer.
type layerTable map[string]int

// readLayers parses the ```layers block of docs/architecture.md.
func readLayers(t *testing.T) layerTable {
	t.Helper()
	table := layerTable{}
	for n, line := range fencedBlock(t, "docs/architecture.md", "layers") {
		f := strings.Fields(line)
		layer := testLayer
		if f[0] != "test" {
			var err error
			if layer, err = strconv.Atoi(f[0]); err != nil {
				t.Fatalf("docs/architecture.md:%d: layer %q is not a number or \"test\"", n, f[0])
			}
		}
		for _, pat := range f[1:] {
			if _, dup := table[pat]; dup {
				t.Fatalf("docs/architecture.md:%d: %s is listed twice", n, pat)
			}
			table[pat] = layer
		}
	}
	return table
}

// layerOf returns the layer of a module package (path relative to the
// module, "warden" for the root) and whether the table lists it. An exact
// entry wins over a /... pattern, and a longer pattern over a shorter one.
func (lt layerTable) layerOf(rel string) (int, bool) {
	if l, ok := lt[rel]; ok {
		return l, true
	}
	best, layer := -1, 0
	for pat, l := range lt {
		base, ok := strings.CutSuffix(pat, "/...")
		if ok && (rel == base || strings.HasPrefix(rel, base+"/")) && len(base) > best {
			best, layer = len(base), l
		}
	}
	return layer, best >= 0
}

func relative(path string) string {
	if path == module {
		return "warden"
	}
	return strings.TrimPrefix(path, module+"/")
}

// TestImportsPointDown checks every package of the module against the
// layer table of docs/architecture.md: it imports only packages of its own
// layer or below, never test support, and is listed.
func TestImportsPointDown(t *testing.T) {
	table := readLayers(t)
	for _, p := range goList(t, "./...") {
		rel := relative(p.ImportPath)
		from, ok := table.layerOf(rel)
		if !ok {
			t.Errorf("%s is in no layer of docs/architecture.md: add it", rel)
			continue
		}
		for _, imp := range p.Imports {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			to, ok := table.layerOf(relative(imp))
			switch {
			case !ok:
				// Reported when the imported package itself is checked.
			case to == testLayer && from != testLayer && !strings.HasPrefix(rel, "cmd/") && !strings.HasPrefix(rel, "examples/"):
				t.Errorf("%s (layer %d) imports test support %s", rel, from, relative(imp))
			case from != testLayer && to > from:
				t.Errorf("%s (layer %d) imports %s (layer %d): imports must point down", rel, from, relative(imp), to)
			}
		}
	}
}

// TestNeverPulls checks the ```never block: packages that must stay light
// (the vocabulary, the token verifier, the middleware, the enforcer) pull
// none of the listed packages, however indirectly.
func TestNeverPulls(t *testing.T) {
	rules := fencedBlock(t, "docs/architecture.md", "never")
	if len(rules) == 0 {
		t.Fatal("docs/architecture.md: the never block is empty")
	}
	for n, line := range rules {
		f := strings.Fields(line)
		if len(f) < 2 {
			t.Fatalf("docs/architecture.md:%d: want a package and what it never pulls", n)
		}
		path := module
		if f[0] != "warden" {
			path = module + "/" + f[0]
		}
		deps := goList(t, "-deps", path)
		for _, d := range deps {
			if d.ImportPath == path {
				continue
			}
			if !matchesAny(d, f[1:]) {
				continue
			}
			// Name only the edges into the banned region: a banned
			// package that only banned packages import says nothing new.
			if by := importersOutside(deps, d.ImportPath, f[1:]); len(by) > 0 {
				t.Errorf("docs/architecture.md:%d: %s pulls %s, imported by %s", n, f[0], d.ImportPath, strings.Join(by, ", "))
			}
		}
	}
}

// importersOutside returns the packages in deps that import path directly
// and are not themselves matched by banned, so a failure names where to cut.
func importersOutside(deps []listedPackage, path string, banned []string) []string {
	var by []string
	for _, d := range deps {
		if matchesAny(d, banned) {
			continue
		}
		for _, imp := range d.Imports {
			if imp == path {
				by = append(by, relative(d.ImportPath))
			}
		}
	}
	return by
}

// matchesAny reports whether d is matched by one of the never rules'
// entries: ANY-NON-STDLIB, ANY-NON-STDLIB-OR-WARDEN, a prefix ending in "/",
// or an import path (which also covers the packages below it).
func matchesAny(d listedPackage, banned []string) bool {
	for _, b := range banned {
		switch b {
		case "ANY-NON-STDLIB":
			if !d.Standard {
				return true
			}
		case "ANY-NON-STDLIB-OR-WARDEN":
			if !d.Standard && d.ImportPath != module {
				return true
			}
		default:
			if d.ImportPath == b || strings.HasPrefix(d.ImportPath, strings.TrimSuffix(b, "/")+"/") {
				return true
			}
		}
	}
	return false
}

// maxMinimalBinary bounds the size of testdata/minimalhttp, the smallest
// useful net/http service. It was 28 MB (138 non-standard packages) while the
// middleware linked the SQL store only to classify its errors, and 13.7 MB
// (34 packages) once imports pointed down.
const maxMinimalBinary = 16 << 20

// TestMinimalBinary builds testdata/minimalhttp and records its size and the
// number of non-standard packages it links; it fails when the size passes
// maxMinimalBinary, so a new heavy import in the middleware or the verifier
// is noticed.
func TestMinimalBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "minimalhttp")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./testdata/minimalhttp")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	st, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	nonStd := 0
	for _, d := range goList(t, "-deps", "./testdata/minimalhttp") {
		if !d.Standard {
			nonStd++
		}
	}
	msg := fmt.Sprintf("minimal net/http binary: %.1f MB, %d non-standard packages", float64(st.Size())/(1<<20), nonStd)
	t.Log(msg)
	if st.Size() > maxMinimalBinary {
		t.Errorf("%s: more than %d MB", msg, maxMinimalBinary>>20)
	}
}
