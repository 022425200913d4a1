package warden_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/wardenhq/warden"

// listedPackage is the part of `go list -json` the layer test reads.
type listedPackage struct {
	ImportPath     string
	Dir            string
	Standard       bool
	Imports        []string
	Deps           []string
	IgnoredGoFiles []string
}

// goList runs `go list -json` with args and decodes every package.
func goList(t *testing.T, args ...string) []listedPackage {
	t.Helper()
	return goListIn(t, "", nil, args...)
}

// goListIn is goList in the module at dir ("" for this one), with env
// added to the environment.
func goListIn(t *testing.T, dir string, env []string, args ...string) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-json"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	if dir != "" {
		cmd.Dir = dir
		cmd.Env = append(cmd.Env, "GOWORK=off", "GOFLAGS=")
	}
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

func relative(path string) string { return relativeTo(module, path) }

// relativeTo is path relative to the module mod ("warden" for its root).
func relativeTo(mod, path string) string {
	if path == mod {
		return "warden"
	}
	return strings.TrimPrefix(path, mod+"/")
}

// TestImportsPointDown checks every package of the module against the
// layer table of docs/architecture.md: it imports only packages of its own
// layer or below, never test support, and is listed.
func TestImportsPointDown(t *testing.T) {
	for _, v := range layerViolations(t, "", module, readLayers(t)) {
		t.Error(v)
	}
}

// layerViolations checks the packages of the module mod at dir ("" for
// this one) against table and returns what breaks it. It reads every
// package the module's packages reach (`go list -deps`: a package under a
// testdata or _ directory, which ./... leaves out, is checked all the same
// when one is imported), and the imports of every file of a package,
// whatever its build constraints (a file for another GOOS or behind a tag
// is compiled somewhere); only files marked //go:build ignore, which no
// build compiles, are left out.
func layerViolations(t *testing.T, dir, mod string, table layerTable) []string {
	t.Helper()
	var out []string
	inModule := func(path string) bool { return path == mod || strings.HasPrefix(path, mod+"/") }
	for _, p := range goListIn(t, dir, nil, "-deps", "./...") {
		if p.Standard || !inModule(p.ImportPath) {
			continue
		}
		rel := relativeTo(mod, p.ImportPath)
		from, ok := table.layerOf(rel)
		if !ok {
			out = append(out, fmt.Sprintf("%s is in no layer of docs/architecture.md: add it", rel))
			continue
		}
		for _, imp := range allImports(t, p) {
			if !inModule(imp) {
				continue
			}
			to, ok := table.layerOf(relativeTo(mod, imp))
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s (layer %d) imports %s, which is in no layer", rel, from, relativeTo(mod, imp)))
			case to == testLayer && from != testLayer && !strings.HasPrefix(rel, "cmd/") && !strings.HasPrefix(rel, "examples/"):
				out = append(out, fmt.Sprintf("%s (layer %d) imports test support %s", rel, from, relativeTo(mod, imp)))
			case from != testLayer && to > from:
				out = append(out, fmt.Sprintf("%s (layer %d) imports %s (layer %d): imports must point down", rel, from, relativeTo(mod, imp), to))
			}
		}
	}
	return out
}

// allImports returns p's imports with those of its files that this
// platform's build leaves out (IgnoredGoFiles, test files excepted), but
// not of files marked //go:build ignore.
func allImports(t *testing.T, p listedPackage) []string {
	t.Helper()
	imps := slices.Clone(p.Imports)
	for _, name := range p.IgnoredGoFiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, name), nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Join(p.Dir, name), err)
		}
		if ignoredFile(f) {
			continue
		}
		for _, is := range f.Imports {
			path, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				t.Fatalf("%s: import %s: %v", filepath.Join(p.Dir, name), is.Path.Value, err)
			}
			imps = append(imps, path)
		}
	}
	return imps
}

// ignoredFile reports whether f's build constraint is "ignore" alone, the
// convention for a file no build compiles (a generator run with go run).
func ignoredFile(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() >= f.Package {
			break
		}
		for _, c := range cg.List {
			if constraint.IsGoBuild(c.Text) {
				e, err := constraint.Parse(c.Text)
				if tag, ok := e.(*constraint.TagExpr); err == nil && ok && tag.Tag == "ignore" {
					return true
				}
			}
		}
	}
	return false
}

// The layer check must see what a build for another platform, or with a
// tag, compiles, and a package that ./... does not list (under testdata)
// but a listed one imports: testdata/layers is a module whose package low
// (layer 0) reaches high (layer 1) both ways, and also holds a file
// marked //go:build ignore that imports high, which no build compiles.
// Before, TestImportsPointDown read only `go list ./...`'s Imports, so
// audit could import server from a file for windows, or health through
// audit/testdata/x, and pass.
func TestLayerCheckSeesEveryFile(t *testing.T) {
	const fixture = "example.com/layers"
	got := layerViolations(t, filepath.Join("testdata", "layers"), fixture, layerTable{"warden": 0, "low": 0, "high": 1, "light": 0, "heavy": 0})
	slices.Sort(got)
	want := []string{
		"low (layer 0) imports high (layer 1): imports must point down",
		"low (layer 0) imports low/testdata/x, which is in no layer",
		"low/testdata/x is in no layer of docs/architecture.md: add it",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNeverPulls checks the ```never block: packages that must stay light
// (the vocabulary, the token verifier, the middleware, the enforcer) pull
// none of the listed packages, however indirectly, on any of
// neverPlatforms.
func TestNeverPulls(t *testing.T) {
	lines := fencedBlock(t, "docs/architecture.md", "never")
	if len(lines) == 0 {
		t.Fatal("docs/architecture.md: the never block is empty")
	}
	var rules []neverRule
	for n, line := range lines {
		f := strings.Fields(line)
		if len(f) < 2 {
			t.Fatalf("docs/architecture.md:%d: want a package and what it never pulls", n)
		}
		path := module
		if f[0] != "warden" {
			path = module + "/" + f[0]
		}
		rules = append(rules, neverRule{where: fmt.Sprintf("docs/architecture.md:%d", n), name: f[0], path: path, banned: f[1:]})
	}
	for _, goos := range neverPlatforms {
		for _, v := range neverViolations(t, "", goos, rules) {
			t.Error(v)
		}
	}
}

// neverPlatforms are the systems the never rules are checked for: a file
// for one of them (x_windows.go, //go:build darwin) is compiled there, and
// what it pulls counts as much as what a linux build pulls.
var neverPlatforms = []string{"linux", "darwin", "windows"}

// neverRule is one line of the never block.
type neverRule struct {
	where  string // file:line, for messages
	name   string // the package as written
	path   string // its import path
	banned []string
}

// neverViolations checks rules in the module at dir ("" for this one) as
// built for goos: one go list of every rule's package and what it pulls.
func neverViolations(t *testing.T, dir, goos string, rules []neverRule) []string {
	t.Helper()
	args := []string{"-deps"}
	for _, r := range rules {
		args = append(args, r.path)
	}
	byPath := map[string]listedPackage{}
	for _, p := range goListIn(t, dir, []string{"GOOS=" + goos}, args...) {
		byPath[p.ImportPath] = p
	}
	var out []string
	for _, r := range rules {
		deps := closure(byPath, r.path)
		for _, d := range deps {
			if d.ImportPath == r.path || !matchesAny(d, r.banned) {
				continue
			}
			// Name only the edges into the banned region: a banned
			// package that only banned packages import says nothing new.
			if by := importersOutside(deps, d.ImportPath, r.banned); len(by) > 0 {
				out = append(out, fmt.Sprintf("%s: %s pulls %s for %s, imported by %s", r.where, r.name, d.ImportPath, goos, strings.Join(by, ", ")))
			}
		}
	}
	return out
}

// closure returns root and every package it imports, however indirectly,
// from the listing byPath.
func closure(byPath map[string]listedPackage, root string) []listedPackage {
	seen := map[string]bool{root: true}
	var out []listedPackage
	for queue := []string{root}; len(queue) > 0; queue = queue[1:] {
		p, ok := byPath[queue[0]]
		if !ok {
			continue // "C", or a package the listing does not hold
		}
		out = append(out, p)
		for _, imp := range p.Imports {
			if !seen[imp] {
				seen[imp] = true
				queue = append(queue, imp)
			}
		}
	}
	return out
}

// A never rule holds on every platform: in the module testdata/layers,
// light pulls heavy only from light_windows.go. Before, TestNeverPulls
// listed the linux build only, so middleware could pull echo from a file
// for windows and pass.
func TestNeverRuleSeesEveryPlatform(t *testing.T) {
	rules := []neverRule{{where: "fixture", name: "light", path: "example.com/layers/light", banned: []string{"example.com/layers/heavy"}}}
	var got []string
	for _, goos := range neverPlatforms {
		got = append(got, neverViolations(t, filepath.Join("testdata", "layers"), goos, rules)...)
	}
	want := []string{"fixture: light pulls example.com/layers/heavy for windows, imported by example.com/layers/light"}
	if !slices.Equal(got, want) {
		t.Fatalf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
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
