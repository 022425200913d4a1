package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

// buildVersion returns version, or the module version the binary was built
// at (go install ...@v1.2.3) when no -ldflags value was given.
func buildVersion() string {
	if version != "dev" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return version
}

// versionJSON is what `warden version --json` prints.
type versionJSON struct {
	Version string `json:"version"` // v1.2.3, or dev
	Go      string `json:"go"`      // the Go release it was built with, e.g. go1.26.0
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "[--json]", stdout, stderr)
	asJSON := fs.Bool("json", false, `print {"version": "v1.2.3", "go": "go1.26.0"}`)
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return errorf(stderr, "version", "unexpected arguments %q", pos)
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(versionJSON{Version: buildVersion(), Go: runtime.Version()}); err != nil {
			return errorf(stderr, "version", "%v", err)
		}
		return exitOK
	}
	fmt.Fprintf(stdout, "warden %s (%s)\n", buildVersion(), runtime.Version())
	return exitOK
}
