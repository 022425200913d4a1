package parity_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wardenhq/warden/models"
	"github.com/wardenhq/warden/parity"
)

// TestEmbeddedModels runs the harness on every model Warden ships, with its
// fixture policy, over several seeds: each decides as plain Casbin does.
func TestEmbeddedModels(t *testing.T) {
	for _, name := range models.Names() {
		t.Run(name, func(t *testing.T) {
			for seed := uint64(1); seed <= 5; seed++ {
				rep, err := parity.Run(context.Background(), parity.Config{
					ModelFile:  filepath.Join("..", "models", name+".conf"),
					PolicyFile: filepath.Join("..", "models", "testdata", name+".csv"),
					Requests:   400, Seed: seed,
				})
				if err != nil {
					t.Fatal(err)
				}
				if !rep.Equal() {
					t.Fatalf("seed %d: %d differences, first %+v; policy %v", seed, len(rep.Diffs), rep.Diffs[:min(3, len(rep.Diffs))], rep.PolicyDiffs)
				}
				if rep.Allowed == 0 {
					t.Fatalf("seed %d: no request was allowed: the comparison proves little", seed)
				}
			}
		})
	}
}

// FuzzEmbeddedModels explores seeds beyond the fixed ones:
// go test -fuzz FuzzEmbeddedModels ./parity
func FuzzEmbeddedModels(f *testing.F) {
	names := models.Names()
	for i := range names {
		f.Add(uint64(i+100), uint8(i))
	}
	f.Fuzz(func(t *testing.T, seed uint64, which uint8) {
		name := names[int(which)%len(names)]
		rep, err := parity.Run(context.Background(), parity.Config{
			ModelFile:  filepath.Join("..", "models", name+".conf"),
			PolicyFile: filepath.Join("..", "models", "testdata", name+".csv"),
			Requests:   100, Seed: seed,
		})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Equal() {
			t.Fatalf("%s seed %d: %+v %v", name, seed, rep.Diffs[:min(3, len(rep.Diffs))], rep.PolicyDiffs)
		}
	})
}
