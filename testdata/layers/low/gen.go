//go:build ignore

// A generator, run with go run and compiled by no build: not checked.
package main

import _ "example.com/layers/high"

func main() {}
