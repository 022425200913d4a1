//go:build !unix

package cputime

import "time"

// Process is not measured here: it reads 0, and so do the metrics built
// on it.
func Process() time.Duration { return 0 }
