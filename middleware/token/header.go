package token

import "fmt"

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
