package conf

import _ "embed" // the files below

var (
	//go:embed model.conf
	model string
	//go:embed policy.csv
	policy string
)

// Model returns the text of model.conf, Warden's default model. The warden
// CLI uses it when conf/model.conf is not in the working directory, so that
// it works from any directory.
func Model() string { return model }

// Policy returns the text of policy.csv, the default policy that goes with
// Model.
func Policy() string { return policy }
