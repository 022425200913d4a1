package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// testCase is one expected decision from a cases file.
type testCase struct {
	line   int
	values []any
	allow  bool
}

// readCases reads a cases file: YAML (.yaml, .yml, or content starting
// with "-") or CSV. Errors name the file and line.
//
//   - request: [alice, /posts, GET]
//     expect: allow
//
//     alice, /posts, GET, allow
func readCases(path string) ([]testCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cases []testCase
	if isYAML(path, data) {
		cases, err = yamlCases(path, data)
	} else {
		cases, err = csvCases(path, data)
	}
	if err != nil {
		return nil, err
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("%s: no cases", path)
	}
	return cases, nil
}

func isYAML(path string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return true
	case ".csv":
		return false
	}
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		return strings.HasPrefix(l, "-")
	}
	return false
}

func parseExpect(path string, line int, s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case "allow":
		return true, nil
	case "deny":
		return false, nil
	}
	return false, fmt.Errorf("%s:%d: expect: %q is neither allow nor deny", path, line, s)
}

func yamlCases(path string, data []byte) ([]testCase, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	seq := doc.Content[0]
	if seq.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: want a list of cases, each `- {request: [...], expect: allow}`", path, seq.Line)
	}
	var cases []testCase
	for _, item := range seq.Content {
		c, err := yamlCase(path, item)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// yamlCase reads one case, a mapping of exactly request and expect: a key
// that is neither (a misspelt "expct", a "requests") is an error, not a
// case silently read without it.
func yamlCase(path string, item *yaml.Node) (testCase, error) {
	if item.Kind != yaml.MappingNode {
		return testCase{}, fmt.Errorf("%s:%d: want a case (request: [...] and expect: allow or deny)", path, item.Line)
	}
	var (
		request    []any
		expect     string
		seen       = map[string]bool{}
		expectLine = item.Line
	)
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], item.Content[i+1]
		if seen[k.Value] {
			return testCase{}, fmt.Errorf("%s:%d: %s: given twice", path, k.Line, k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "request":
			if v.Kind != yaml.SequenceNode {
				return testCase{}, fmt.Errorf("%s:%d: request: want a list of the model's request fields, e.g. [alice, /posts, GET]", path, v.Line)
			}
			if err := v.Decode(&request); err != nil {
				return testCase{}, fmt.Errorf("%s:%d: request: %v", path, v.Line, err)
			}
		case "expect":
			if v.Kind != yaml.ScalarNode {
				return testCase{}, fmt.Errorf("%s:%d: expect: want allow or deny", path, v.Line)
			}
			expect, expectLine = v.Value, v.Line
		default:
			return testCase{}, fmt.Errorf("%s:%d: %s: unknown field (a case has request and expect)", path, k.Line, k.Value)
		}
	}
	if len(request) == 0 {
		return testCase{}, fmt.Errorf("%s:%d: request: missing or empty", path, item.Line)
	}
	if !seen["expect"] {
		return testCase{}, fmt.Errorf("%s:%d: expect: missing (allow or deny)", path, item.Line)
	}
	allow, err := parseExpect(path, expectLine, expect)
	if err != nil {
		return testCase{}, err
	}
	vals := make([]any, len(request))
	for i, v := range request {
		if s, ok := v.(string); ok {
			if vals[i], err = requestValue(s); err != nil {
				return testCase{}, fmt.Errorf("%s:%d: request value %d: %v", path, item.Line, i+1, err)
			}
			continue
		}
		vals[i] = normalize(v)
	}
	return testCase{line: item.Line, values: vals, allow: allow}, nil
}

// normalize gives YAML values the types a JSON argument would have (maps
// with string keys, float64 numbers), so a case means the same in either
// file format and on the command line.
func normalize(v any) any {
	switch v := v.(type) {
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = normalize(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = normalize(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalize(x)
		}
		return out
	}
	return v
}

// csvCases reads request fields followed by allow or deny, one case a
// line; # starts a comment and a field may be a quoted JSON object.
func csvCases(path string, data []byte) ([]testCase, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	var cases []testCase
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return cases, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: %v", path, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) < 2 {
			return nil, fmt.Errorf("%s:%d: want request fields followed by allow or deny", path, line)
		}
		allow, err := parseExpect(path, line, rec[len(rec)-1])
		if err != nil {
			return nil, err
		}
		vals := make([]any, len(rec)-1)
		for i, f := range rec[:len(rec)-1] {
			if vals[i], err = requestValue(strings.TrimSpace(f)); err != nil {
				return nil, fmt.Errorf("%s:%d: field %d: %v", path, line, i+1, err)
			}
		}
		cases = append(cases, testCase{line: line, values: vals, allow: allow})
	}
}
