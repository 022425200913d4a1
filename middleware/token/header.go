package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// checkHeader refuses JOSE headers Warden cannot honour. A "crit" header
// lists extensions the recipient must understand and process, or reject
// the token (RFC 7515, section 4.1.11). Warden understands no extension
// (such as "b64": false of RFC 7797, which changes what the signature
// covers), so any "crit" is refused, whatever it lists, malformed included.
func checkHeader(h map[string]any) error {
	if v, ok := h["crit"]; ok {
		return fmt.Errorf("%w: %v", ErrCriticalHeader, v)
	}
	return nil
}

// checkDuplicates refuses a token whose header or claims name a member
// twice. RFC 7515 (section 4) and RFC 7519 (section 4) let a recipient
// either refuse such a token or keep the last member, as encoding/json
// does; a gateway or a log pipeline in front of Warden may keep the first,
// and then {"sub":"alice","sub":"admin"} is a different caller to each.
// Refusing leaves one reading. It runs on the raw token, before the
// signature is checked, and decodes only what jwt decodes next anyway.
func (v *Verifier) checkDuplicates(raw string) error {
	parts := strings.SplitN(raw, ".", 3)
	if len(parts) != 3 {
		return nil // jwt reports the malformed token
	}
	for i, name := range []string{"header", "claims"} {
		b, err := v.parser.DecodeSegment(parts[i])
		if err != nil {
			return nil // as above
		}
		if dup := duplicateMember(b); dup != "" {
			return fmt.Errorf("%w: %s member %q appears twice", ErrDuplicateMember, name, dup)
		}
	}
	return nil
}

// duplicateMember returns a member name that some object in the JSON
// value b has twice (nested objects included: a groups claim can be one
// level down, as Keycloak's realm_access.roles), or "". Malformed JSON is
// left to jwt, which refuses it next.
func duplicateMember(b []byte) string {
	type frame struct {
		seen     map[string]struct{} // nil for an array
		wantName bool
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var stack []*frame
	valueDone := func() { // a value ended: its object expects a name next
		if n := len(stack); n > 0 && stack[n-1].seen != nil {
			stack[n-1].wantName = true
		}
	}
	for {
		t, err := dec.Token()
		if err != nil {
			return "" // io.EOF at the end, or malformed
		}
		if n := len(stack); n > 0 && stack[n-1].wantName {
			if name, ok := t.(string); ok {
				if _, dup := stack[n-1].seen[name]; dup {
					return name
				}
				stack[n-1].seen[name] = struct{}{}
				stack[n-1].wantName = false
				continue
			}
		}
		switch t {
		case json.Delim('{'):
			stack = append(stack, &frame{seen: map[string]struct{}{}, wantName: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}
