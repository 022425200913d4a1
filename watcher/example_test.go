package watcher_test

import (
	"fmt"

	"github.com/wardenhq/warden/watcher"
)

// An update callback decodes the payload and applies the one changed rule,
// falling back to a full reload for anything it cannot apply.
func ExampleDecode() {
	payload := `{"instance":"node-2","op":"add","sec":"p","ptype":"p","rules":[["alice","/posts","GET"]],"sent_at":"2026-01-02T03:04:05Z"}`
	m, err := watcher.Decode(payload)
	switch {
	case err != nil || m.FullReload():
		fmt.Println("reload the whole policy")
	case m.Op == watcher.OpAdd:
		for _, r := range m.Rules {
			fmt.Printf("apply %s from %s: %s %v\n", m.Op, m.Instance, m.PType, r)
		}
	}
	// Output:
	// apply add from node-2: p [alice /posts GET]
}

func ExampleDecode_malformed() {
	_, err := watcher.Decode(`{"instance":"node-2","op":"explode"}`)
	fmt.Println(err)
	// Output:
	// watcher: malformed message: field "op" has unknown value "explode"
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
