package lint

import (
	"os"

	"github.com/casbin/casbin/v2/model"
)

// Check lints the model at modelPath and, when policyPath is not empty, the
// policy at policyPath against it. Problems come in file order, model first.
// The error is reserved for files that cannot be read.
func Check(modelPath, policyPath string) ([]Problem, error) {
	src, err := os.ReadFile(modelPath)
	if err != nil {
		return nil, err
	}
	mf := scanModel(modelPath, src)
	checkModel(mf)

	var m model.Model
	if len(mf.probs.list) == 0 {
		// Casbin's own parser is the final word on whether the model loads;
		// it only speaks when the checks above found nothing to report.
		m, err = model.NewModelFromString(string(src))
		if err != nil {
			mf.probs.add(1, "casbin cannot load the model: %v", err)
			m = nil
		}
	} else if loaded, err := model.NewModelFromString(string(src)); err == nil {
		m = loaded
	}
	out := mf.probs.sorted()

	if policyPath == "" {
		return out, nil
	}
	data, err := os.ReadFile(policyPath)
	if err != nil {
		return nil, err
	}
	pp := &problems{file: policyPath}
	checkPolicy(pp, data, m)
	return append(out, pp.sorted()...), nil
}
