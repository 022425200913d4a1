package lint

import (
	"os"

	"github.com/wardenhq/warden/internal/modelcheck"
)

// Check lints the model at modelPath and, when policyPath is not empty, the
// policy at policyPath against it. Problems come in file order, model first.
// The error is reserved for files that cannot be read.
func Check(modelPath, policyPath string) ([]Problem, error) {
	src, err := os.ReadFile(modelPath)
	if err != nil {
		return nil, err
	}
	out, m := modelcheck.LintModel(modelPath, src)
	if policyPath == "" {
		return out, nil
	}
	data, err := os.ReadFile(policyPath)
	if err != nil {
		return nil, err
	}
	pp := &modelcheck.Problems{File: policyPath}
	checkPolicy(pp, data, m)
	return append(out, pp.Sorted()...), nil
}
