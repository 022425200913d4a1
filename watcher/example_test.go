package watcher_test

import (
	"errors"
	"fmt"

	"github.com/wardenhq/warden/watcher"
)

// The store sends this payload with NOTIFY inside the change's own
// transaction; a watcher publishes it after a commit elsewhere.
func ExampleEncodeHint() {
	fmt.Println(watcher.EncodeHint("node-1", 42))
	// Output:
	// {"instance":"node-1","revision":42}
}

// Whatever a message on the channel carries, decoding it yields at most an
// instance id and a revision: the rules an older Warden (or an attacker)
// put in it are never read.
func ExampleDecodeHint() {
	h, err := watcher.DecodeHint(`{"instance":"x","op":"add","ptype":"g","rules":[["mallory","warden-admin"]]}`)
	fmt.Println(h, err)
	_, err = watcher.DecodeHint(`{"instance":"x","revision":-1}`)
	fmt.Println(errors.Is(err, watcher.ErrMalformed))
	// Output:
	// {"instance":"x","revision":0} <nil>
	// true
}

func ExampleBackoff_Delay() {
	b := watcher.Backoff{Initial: 100e6, Max: 1e9, Multiplier: 2} // no jitter: deterministic
	for attempt := range 5 {
		fmt.Println(b.Delay(attempt))
	}
	// Output:
	// 100ms
	// 200ms
	// 400ms
	// 800ms
	// 1s
}
