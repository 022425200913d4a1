package main

import (
	"context"
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

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "", stderr)
	pos, code := parseFlags(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		return errorf(stderr, "version", "unexpected arguments %q", pos)
	}
	fmt.Fprintf(stdout, "warden %s (%s)\n", buildVersion(), runtime.Version())
	return exitOK
}
