package lint

import (
	"fmt"
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
	uses := checkModel(mf)

	var m model.Model
	if len(mf.probs.list) == 0 {
		// Casbin's own parser is the final word on whether the model loads;
		// it only speaks when the checks above found nothing to report.
		m, err = loadModel(src)
		if err != nil {
			mf.probs.add(1, "casbin cannot load the model: %v", err)
			m = nil
		}
	} else if loaded, err := loadModel(src); err == nil {
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
	checkPolicy(pp, data, m, uses)
	return append(out, pp.sorted()...), nil
}

// loadModel asks Casbin to parse the model. Its parser has panicked on
// malformed input before; a linter is exactly where such input arrives.
func loadModel(src []byte) (m model.Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return model.NewModelFromString(string(src))
}
