package watcher_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/wardenhq/warden/watcher"
)

func TestHintRoundTrip(t *testing.T) {
	for _, h := range []watcher.Hint{{}, {Instance: "node-1", Revision: 42}, {Instance: `q"uo\te`, Revision: math.MaxUint64}} {
		got, err := watcher.DecodeHint(watcher.EncodeHint(h.Instance, h.Revision))
		if err != nil || got != h {
			t.Errorf("round trip of %+v = %+v, %v", h, got, err)
		}
	}
}

// Every payload yields at most an instance id and a revision; what is not
// a hint is an error wrapping ErrMalformed.
func TestDecodeHint(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    watcher.Hint
		bad     bool
	}{
		{"hint", `{"instance":"a","revision":7}`, watcher.Hint{Instance: "a", Revision: 7}, false},
		{"no revision", `{"instance":"a"}`, watcher.Hint{Instance: "a"}, false},
		{"older message with rules", `{"instance":"a","op":"add","ptype":"p","rules":[["mallory","/*","*"]]}`, watcher.Hint{Instance: "a"}, false},
		{"null", `null`, watcher.Hint{}, false},
		{"negative revision", `{"instance":"a","revision":-1}`, watcher.Hint{}, true},
		{"fractional revision", `{"revision":1.5}`, watcher.Hint{}, true},
		{"revision overflows", `{"revision":18446744073709551616}`, watcher.Hint{}, true},
		{"string revision", `{"revision":"7"}`, watcher.Hint{}, true},
		{"array", `[1,2]`, watcher.Hint{}, true},
		{"garbage", `}{`, watcher.Hint{}, true},
		{"empty", ``, watcher.Hint{}, true},
		{"truncated", `{"instance":"a","revi`, watcher.Hint{}, true},
		{"trailing data", `{"instance":"a"} {"instance":"b"}`, watcher.Hint{}, true},
		{"oversized", `{"instance":"a","pad":"` + strings.Repeat("x", watcher.MaxHintBytes) + `"}`, watcher.Hint{}, true},
		{"long instance", `{"instance":"` + strings.Repeat("x", 300) + `"}`, watcher.Hint{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := watcher.DecodeHint(tt.payload)
			if tt.bad != (err != nil) || (err != nil && !errors.Is(err, watcher.ErrMalformed)) {
				t.Fatalf("err = %v; want malformed = %v", err, tt.bad)
			}
			if got != tt.want {
				t.Fatalf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

func FuzzDecodeHint(f *testing.F) {
	f.Add(`{"instance":"a","revision":7}`)
	f.Add(`{"instance":"a","op":"add","rules":[["x"]]}`)
	f.Fuzz(func(t *testing.T, payload string) {
		h, err := watcher.DecodeHint(payload)
		if err != nil {
			return
		}
		// What decodes re-encodes to a canonical hint that decodes the same.
		again, err := watcher.DecodeHint(h.String())
		if err != nil || again != h {
			t.Fatalf("%q: %+v re-encoded as %q decodes to %+v, %v", payload, h, h.String(), again, err)
		}
	})
}
