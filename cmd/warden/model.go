package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/wardenhq/warden/adapters/csvfile"
	"github.com/wardenhq/warden/conf"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/enforcer"
	"github.com/wardenhq/warden/models"
)

// defaultModelName names Warden's default model, conf/model.conf, which the
// binary embeds (package conf).
const defaultModelName = "default"

// Defaults of --model and --policy: the repository's files, read from the
// working directory when they are there (so that editing them takes
// effect), else their embedded copies.
var (
	defaultModelPath  = config.Defaults().Model // conf/model.conf
	defaultPolicyPath = config.Defaults().Seed  // conf/policy.csv
)

// modelNames returns the names --model accepts besides a file.
func modelNames() []string { return append([]string{defaultModelName}, models.Names()...) }

// modelUsage is the usage of every --model flag; what says whose model.
func modelUsage(what string) string {
	return what + ": a `file`, or an embedded model's name: " + strings.Join(modelNames(), ", ") +
		"; " + defaultModelPath + ", when not in the working directory, is the embedded default"
}

// chosenModel is a model and where it came from.
type chosenModel struct {
	m model.Model // set by loadModel
	// name is the file, or "embedded:NAME".
	name string
	// text is the source of an embedded model, "" for a file.
	text string
	// isDefault is true for Warden's default model taken from the binary,
	// which the embedded default policy goes with.
	isDefault bool
	// note, when not empty, says that the default file was not found and
	// the embedded copy is used instead.
	note string
}

// findModel says where the model spec names is: an embedded model's name
// (modelNames), or a file. The default path, conf/model.conf, falls back to
// the embedded default model when no such file is in the working
// directory: the binary then works from any directory. Any other file that
// does not exist is an error that says what may be given instead. A name
// that is also a file in the working directory is refused as ambiguous
// (write ./NAME for the file). The model is not parsed: see loadModel.
func findModel(spec string) (chosenModel, error) {
	if strings.TrimSpace(spec) == "" {
		return chosenModel{}, fmt.Errorf("--model must not be empty (give a file or a name: %s)", strings.Join(modelNames(), ", "))
	}
	bare := !strings.ContainsAny(spec, `/\.`)
	_, statErr := os.Stat(spec)
	if bare && slices.Contains(modelNames(), spec) {
		if statErr == nil {
			return chosenModel{}, fmt.Errorf("--model %s: both an embedded model and a file in the working directory: write ./%s for the file", spec, spec)
		}
		return embeddedModel(spec, "")
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if spec == defaultModelPath {
			wd, _ := os.Getwd()
			return embeddedModel(defaultModelName, fmt.Sprintf("%s is not in %s: using the embedded default model (give --model FILE or a name: %s)",
				defaultModelPath, wd, strings.Join(modelNames(), ", ")))
		}
		return chosenModel{}, fmt.Errorf("--model %s: no such file, and no embedded model of that name (embedded: %s)", spec, strings.Join(modelNames(), ", "))
	}
	return chosenModel{name: spec}, nil
}

// goesWithDefaultPolicy reports whether cm is the default model, which
// conf/policy.csv goes with: the embedded one, or the file conf/model.conf
// however the path is written (./conf/model.conf, an absolute path).
func (cm chosenModel) goesWithDefaultPolicy() bool {
	if cm.isDefault || cm.name == defaultModelPath {
		return true
	}
	if cm.text != "" {
		return false // another embedded model
	}
	a, err := os.Stat(cm.name)
	if err != nil {
		return false
	}
	b, err := os.Stat(defaultModelPath)
	return err == nil && os.SameFile(a, b)
}

func embeddedModel(name, note string) (chosenModel, error) {
	text := conf.Model()
	if name != defaultModelName {
		var err error
		if text, err = models.Text(name); err != nil {
			return chosenModel{}, err
		}
	}
	return chosenModel{name: "embedded:" + name, text: text, isDefault: name == defaultModelName, note: note}, nil
}

// loadModel finds (findModel) and parses the model spec names, with the
// enforcer's checks.
func loadModel(spec string) (chosenModel, error) {
	cm, err := findModel(spec)
	if err != nil {
		return chosenModel{}, err
	}
	if cm.text == "" {
		cm.m, err = enforcer.LoadModel(cm.name)
	} else if cm.m, err = enforcer.ParseModel(cm.text); err != nil {
		err = fmt.Errorf("%s: %w", cm.name, err)
	}
	return cm, err
}

// policyFor returns the policy source of the --policy spec for cm; given
// says that --policy was on the command line. Not given, the default path,
// conf/policy.csv, goes with the default model only (conf/model.conf, or
// the embedded default): it falls back to the embedded default policy
// when the file is not in the working directory, and with any other model
// the policy must be given, since the default policy's rules fit the
// default model only.
func policyFor(spec string, given bool, cm chosenModel) (src persist.Adapter, note string, err error) {
	if given || spec != defaultPolicyPath {
		return csvfile.New(spec), "", nil
	}
	wd, _ := os.Getwd()
	if !cm.goesWithDefaultPolicy() {
		return nil, "", fmt.Errorf("--policy is required with --model %s (%s goes with the default model, %s)",
			strings.TrimPrefix(cm.name, "embedded:"), defaultPolicyPath, defaultModelPath)
	}
	if _, err := os.Stat(spec); !errors.Is(err, fs.ErrNotExist) {
		return csvfile.New(spec), "", nil
	}
	if !cm.isDefault {
		return nil, "", fmt.Errorf("--policy is required with --model %s (%s is not in %s, and the embedded default policy goes with the default model only)",
			strings.TrimPrefix(cm.name, "embedded:"), defaultPolicyPath, wd)
	}
	return loadOnly{textPolicy{name: "embedded:policy.csv", text: conf.Policy()}},
		fmt.Sprintf("%s is not in %s: using the embedded default policy (give --policy FILE)", defaultPolicyPath, wd), nil
}

// textPolicy is policy.csv text, read as the csvfile adapter reads a file
// (same parser, same checks, same errors); loadOnly makes it an adapter.
type textPolicy struct{ name, text string }

// LoadPolicy adds the rules to m.
func (p textPolicy) LoadPolicy(m model.Model) error {
	lines, err := csvfile.Parse(p.name, strings.NewReader(p.text))
	if err != nil {
		return err
	}
	if err := csvfile.Check(p.name, lines, m); err != nil {
		return err
	}
	for _, l := range lines {
		if err := persist.LoadPolicyArray(append([]string{l.PType}, l.Values...), m); err != nil {
			return fmt.Errorf("%s:%d: %w", p.name, l.Num, err)
		}
	}
	return nil
}

// modelFile returns a file holding cm for the tools that read a path (the
// linter): cm's own file, or the embedded text written to a temporary
// directory, which cleanup removes.
func modelFile(cm chosenModel) (path string, cleanup func(), err error) {
	if cm.text == "" {
		return cm.name, func() {}, nil
	}
	return tempFile(strings.TrimPrefix(cm.name, "embedded:")+".conf", cm.text)
}

// tempFile writes text to a file named name in a new temporary directory,
// which cleanup removes.
func tempFile(name, text string) (path string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "warden-")
	if err != nil {
		return "", nil, err
	}
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, err
	}
	return path, func() { _ = os.RemoveAll(dir) }, nil
}

// lintPolicy returns the policy file lint checks with cm when --policy
// is not given, as enforce would choose it (policyFor): conf/policy.csv
// with the default model, the embedded default policy written to a
// temporary file when that file is not in the working directory, and none
// with any other model, whose policy is only checked when given. name is
// what problems call the file; note, when not empty, says what was chosen.
func lintPolicy(cm chosenModel) (path, name, note string, cleanup func(), err error) {
	none := func() {}
	if !cm.goesWithDefaultPolicy() {
		return "", "", "", none, nil
	}
	if _, err := os.Stat(defaultPolicyPath); !errors.Is(err, fs.ErrNotExist) {
		return defaultPolicyPath, defaultPolicyPath, "", none, nil
	}
	if !cm.isDefault {
		return "", "", "", none, nil
	}
	path, cleanup, err = tempFile("policy.csv", conf.Policy())
	if err != nil {
		return "", "", "", nil, err
	}
	wd, _ := os.Getwd()
	return path, "embedded:policy.csv", fmt.Sprintf("%s is not in %s: checking the embedded default policy (give --policy FILE)", defaultPolicyPath, wd), cleanup, nil
}

// openPolicy returns an in-memory enforcer for the --model and --policy
// specs of enforce, test and plan (policyGiven: --policy was given). Notes about embedded defaults go to
// stderr as "warden CMD: note", so that stdout stays the answer.
func openPolicy(ctx context.Context, cmd, modelSpec, policySpec string, policyGiven bool, stderr io.Writer) (*enforcer.Enforcer, error) {
	cm, err := loadModel(modelSpec)
	if err != nil {
		return nil, err
	}
	src, note, err := policyFor(policySpec, policyGiven, cm)
	if err != nil {
		return nil, err
	}
	for _, n := range []string{cm.note, note} {
		if n != "" {
			fmt.Fprintf(stderr, "warden %s: %s\n", cmd, n)
		}
	}
	return enforcer.New(ctx, cm.m, src)
}
