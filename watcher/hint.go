package watcher

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxHintBytes bounds the payload DecodeHint accepts. A hint is about 60
// bytes; anything much larger is not one, and is not parsed at all.
const MaxHintBytes = 1024

// maxInstanceBytes bounds an instance id, so that every hint fits every
// transport (PostgreSQL NOTIFY carries fewer than 8000 bytes).
const maxInstanceBytes = 256

// Hint is everything an announcement says: that the store changed. It
// carries no rules. A receiver answers it by reading the store's change log
// from the revision it has applied, so a forged, replayed, reordered or lost
// hint can at worst cause or delay a read of the store; it never changes a
// decision by itself.
type Hint struct {
	// Instance is the sender's instance id, as the sender claims it. It is
	// used only to skip an instance's own announcements.
	Instance string `json:"instance"`
	// Revision is the revision of the store's change log the sender
	// committed, or 0 when it does not know it (a Casbin WatcherEx call, an
	// older Warden, a message that could not be read). A receiver that has
	// applied Revision already may skip the read; any other value only asks
	// for one.
	Revision uint64 `json:"revision"`
}

// EncodeHint returns the JSON payload announcing that instance committed
// revision of the store's change log: {"instance":"…","revision":N}. The
// store sends it with PostgreSQL NOTIFY inside the change's transaction, and
// a [Watcher] publishes it after a commit elsewhere.
func EncodeHint(instance string, revision uint64) string {
	b, err := json.Marshal(Hint{Instance: instance, Revision: revision})
	if err != nil { // a struct of a string and an integer always encodes
		panic(fmt.Sprintf("watcher: encode hint: %v", err))
	}
	return string(b)
}

// DecodeHint parses a payload received from the channel. Whatever it
// contains, the result is at most an instance id and a revision: fields
// such as the rules older Warden versions sent are ignored, never used.
// A payload that is not a hint (garbage, truncated, larger than
// [MaxHintBytes], a revision that is not a non-negative integer) returns an
// error wrapping [ErrMalformed]; a receiver should still read the store,
// since something announced a change it cannot understand.
func DecodeHint(payload string) (Hint, error) {
	if len(payload) > MaxHintBytes {
		return Hint{}, fmt.Errorf("%w: %d bytes, a hint has at most %d", ErrMalformed, len(payload), MaxHintBytes)
	}
	var h Hint
	dec := json.NewDecoder(bytes.NewReader([]byte(payload)))
	if err := dec.Decode(&h); err != nil {
		return Hint{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if dec.More() {
		return Hint{}, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	if len(h.Instance) > maxInstanceBytes {
		return Hint{}, fmt.Errorf("%w: field \"instance\" is longer than %d bytes", ErrMalformed, maxInstanceBytes)
	}
	return h, nil
}

// String is the hint's payload.
func (h Hint) String() string { return EncodeHint(h.Instance, h.Revision) }
