package server

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzCheckJSON: a body checkJSON accepts is read by encoding/json as
// written: valid UTF-8, and each object's keys distinct (the decoded map
// holds as many keys as the stream gives).
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":1,"a":2}`, "{\"a\":\"\xff\"}", `{"a":"\ud800"}`, `{"a":"\ud83d\ude00"}`,
		`[{"x":[1,{"y":null,"y":1}]}]`, `{"a\u0000":1}`, `"\\ud800"`} {
		f.Add([]byte(s))
	}
	anyType := reflect.TypeFor[any]()
	f.Fuzz(func(t *testing.T, b []byte) {
		if checkJSON(b, anyType, "") != nil || !json.Valid(b) {
			return
		}
		if !utf8.Valid(b) {
			t.Fatalf("accepted invalid UTF-8: %q", b)
		}
		var top map[string]json.RawMessage
		if json.Unmarshal(b, &top) != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		keys, depth := 0, 0
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			switch tok {
			case json.Delim('{'), json.Delim('['):
				depth++
				continue
			case json.Delim('}'), json.Delim(']'):
				depth--
				continue
			}
			if _, ok := tok.(string); ok && depth == 1 && dec.More() {
				// A key of the top object: its value follows.
				keys++
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					return
				}
			}
		}
		if keys != len(top) {
			t.Fatalf("accepted %d keys decoding to %d: %q", keys, len(top), b)
		}
	})
}
