package middleware_test

import (
	"strings"
	"testing"

	"github.com/wardenhq/warden/middleware"
)

// TestAPIKeysRefuseOneHashTwice: the table is keyed by the hash's text, so
// one key's hash written in lower and in upper case was two entries, for
// two identities; the key then authenticated as whichever entry the map's
// random order put last, another service from one start to the next.
// NewAPIKeys refuses a hash given twice.
func TestAPIKeysRefuseOneHashTwice(t *testing.T) {
	h := middleware.HashAPIKey("k-billing-0123456789")
	if _, err := middleware.NewAPIKeys(map[string]string{h: "svc-billing", strings.ToUpper(h): "svc-admin"}); err == nil {
		t.Fatal("one key's hash for two identities was accepted")
	}
}
