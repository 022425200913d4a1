package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wardenhq/warden/enforcer"
)

// requestValue turns one command-line or case-file argument into a request
// value: a JSON object becomes a map[string]any of attributes (numbers as
// float64, which is what matcher comparisons such as r.sub.Age >= 18 need);
// anything else stays a string.
func requestValue(arg string) (any, error) {
	s := strings.TrimSpace(arg)
	if !strings.HasPrefix(s, "{") {
		return arg, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("invalid JSON object %q: %v", s, err)
	}
	return m, nil
}

func requestValues(args []string) ([]any, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		v, err := requestValue(a)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		vals[i] = v
	}
	return vals, nil
}

func verdict(allowed bool) string {
	if allowed {
		return "allow"
	}
	return "deny"
}

// explainLines describes why a decision came out as it did: the rule that
// decided and the chain of roles from the subject to that rule's subject.
func explainLines(x enforcer.Explanation) []string {
	if x.Rule.IsZero() {
		return []string{"rule: none (no rule matched, denied by default)"}
	}
	lines := []string{"rule: " + x.Rule.String()}
	if len(x.Chain) > 0 {
		lines = append(lines, "chain: "+strings.Join(x.Chain, " -> "))
	}
	return lines
}

// formatValues renders request values for messages, JSON objects as JSON.
func formatValues(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case string:
			parts[i] = v
		default:
			b, err := json.Marshal(v)
			if err != nil {
				parts[i] = fmt.Sprint(v)
			} else {
				parts[i] = string(b)
			}
		}
	}
	return strings.Join(parts, " ")
}
