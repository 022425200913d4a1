// Package high is layer 1 of the layer check's fixture.
package high

// Name is what low reaches for.
const Name = "high"
