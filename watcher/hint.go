package watcher

import "encoding/json"

// EncodeHint returns the payload announcing that the store holds revision:
// {"instance":"…","revision":N}. It carries no rules; a receiver reads what
// changed from the store's change log.
func EncodeHint(instance string, revision uint64) string {
	b, _ := json.Marshal(struct {
		Instance string `json:"instance"`
		Revision uint64 `json:"revision"`
	}{instance, revision}) // a string and a number always encode
	return string(b)
}
