// Package low is layer 0 of the layer check's fixture (layers_test.go):
// its files for linux import nothing of the module above it.
package low

// Name is low's own.
const Name = "low"
