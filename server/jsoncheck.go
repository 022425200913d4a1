package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxJSONDepth bounds how deeply a request body may nest objects and
// arrays. encoding/json allows 10000 levels; no Warden body needs more
// than a few, and the check below recurses once per level.
const MaxJSONDepth = 32

// checkJSON walks the JSON value in b as a token stream, guided by the Go
// type it will be decoded into, and refuses what encoding/json would
// silently accept:
//   - a key that matches a struct field only case-insensitively ("Values"
//     for values): encoding/json folds case, so a key the caller spelt
//     differently would be read as the field;
//   - a key given twice in one object: encoding/json keeps the last, so
//     two readers of the same body could disagree on its meaning;
//   - a string that is not valid UTF-8, or that escapes an unpaired UTF-16
//     surrogate: encoding/json replaces both with U+FFFD, so the value
//     compared and stored would not be the one sent;
//   - nesting deeper than MaxJSONDepth.
//
// Every refusal names the field at fault. Syntax and type errors are left
// to the decoder that runs after it, which names them.
func checkJSON(b []byte, t reflect.Type, prefix string) error {
	c := &jsonChecker{b: b, dec: json.NewDecoder(bytes.NewReader(b))}
	c.dec.UseNumber()
	return c.value(t, prefix, 0)
}

type jsonChecker struct {
	b   []byte
	dec *json.Decoder
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// errSyntax stops the walk at a token the decoder cannot read; the decode
// that follows reports it as malformed JSON.
var errSyntax = fmt.Errorf("malformed JSON")

func (c *jsonChecker) token() (json.Token, int64, error) {
	start := c.dec.InputOffset()
	tok, err := c.dec.Token()
	if err != nil {
		return nil, 0, errSyntax
	}
	return tok, start, nil
}

// value checks one value; t is the type it decodes into (nil: any).
func (c *jsonChecker) value(t reflect.Type, path string, depth int) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType || (t != nil && t.Kind() == reflect.Interface) {
		t = nil
	}
	tok, start, err := c.token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		if depth >= MaxJSONDepth {
			return invalid(path, "nested deeper than %d levels", MaxJSONDepth)
		}
		return c.object(t, path, depth+1)
	case json.Delim('['):
		if depth >= MaxJSONDepth {
			return invalid(path, "nested deeper than %d levels", MaxJSONDepth)
		}
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; c.dec.More(); i++ {
			if err := c.value(elem, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		_, _, err := c.token() // ]
		return err
	}
	if _, ok := tok.(string); ok {
		if msg := c.badString(start); msg != "" {
			return invalid(path, "%s", msg)
		}
	}
	return nil
}

// object checks the members of an object whose { was read.
func (c *jsonChecker) object(t reflect.Type, path string, depth int) error {
	var fields map[string]reflect.Type
	var elem reflect.Type
	switch {
	case t != nil && t.Kind() == reflect.Struct:
		fields = jsonFields(t)
	case t != nil && t.Kind() == reflect.Map:
		elem = t.Elem()
	}
	seen := map[string]bool{}
	for c.dec.More() {
		tok, start, err := c.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		field := joinField(path, key)
		if msg := c.badString(start); msg != "" {
			return invalid(field, "the key %s", msg)
		}
		if seen[key] {
			return invalid(field, "given twice; give each key once")
		}
		seen[key] = true
		ft := elem
		if fields != nil {
			var ok bool
			if ft, ok = fields[key]; !ok {
				for name := range fields {
					if strings.EqualFold(name, key) {
						return invalid(field, "unknown field (field names are case-sensitive: %q)", name)
					}
				}
				return invalid(field, "unknown field")
			}
		}
		if err := c.value(ft, field, depth); err != nil {
			return err
		}
	}
	_, _, err := c.token() // }
	return err
}

// badString says what is wrong with the string token that starts at or
// after offset start, or "" when nothing is.
func (c *jsonChecker) badString(start int64) string {
	raw := c.b[start:c.dec.InputOffset()]
	if i := bytes.IndexByte(raw, '"'); i >= 0 {
		raw = raw[i:]
	}
	if !utf8.Valid(raw) {
		return "is not valid UTF-8"
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if i >= len(raw) || raw[i] != 'u' || i+4 >= len(raw) {
			continue
		}
		r1 := hex4(raw[i+1 : i+5])
		i += 4
		switch {
		case r1 < 0 || !utf16.IsSurrogate(rune(r1)):
			continue
		case r1 < 0xdc00 && i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u':
			if r2 := hex4(raw[i+3 : i+7]); r2 >= 0xdc00 && r2 <= 0xdfff {
				i += 6
				continue
			}
		}
		return "escapes an unpaired UTF-16 surrogate (not valid Unicode)"
	}
	return ""
}

// hex4 decodes four hex digits, or returns -1.
func hex4(b []byte) int {
	n, err := strconv.ParseUint(string(b), 16, 16)
	if err != nil {
		return -1
	}
	return int(n)
}

// jsonFields maps the JSON names of t's exported fields, exactly as
// encoding/json writes them, to their types; an embedded struct's fields
// count as t's own. Where encoding/json's rules for clashing names differ,
// a field the decoder then refuses as unknown is still refused.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			// encoding/json reads an embedded struct's fields as this one's.
			for n, ft := range jsonFields(f.Type) {
				if _, ok := out[n]; !ok {
					out[n] = ft
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func joinField(prefix, f string) string {
	switch {
	case prefix == "":
		return f
	case f == "":
		return prefix
	}
	return prefix + "." + f
}
