package enforcer

import (
	"fmt"
	"os"

	"github.com/casbin/casbin/v2/model"
)

// LoadModel reads a Casbin model file. Errors name the file.
func LoadModel(path string) (model.Model, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidModel, err)
	}
	m, err := parseModel(string(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ParseModel parses the text of a Casbin model.
func ParseModel(text string) (model.Model, error) { return parseModel(text) }

func parseModel(text string) (m model.Model, err error) {
	// Casbin's config parser panics on some malformed input; a model is
	// user input, so turn that into an error.
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%w: %v", ErrInvalidModel, r)
		}
	}()
	m, err = model.NewModelFromString(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidModel, err)
	}
	for _, sec := range []string{"r", "p", "e", "m"} {
		if _, ok := m[sec]; !ok {
			return nil, fmt.Errorf("%w: missing section %s", ErrInvalidModel, sectionName[sec])
		}
	}
	return m, nil
}

var sectionName = map[string]string{
	"r": "[request_definition]",
	"p": "[policy_definition]",
	"g": "[role_definition]",
	"e": "[policy_effect]",
	"m": "[matchers]",
}
