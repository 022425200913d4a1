// Package light pulls nothing, on linux, for the never rules' fixture
// (layers_test.go).
package light
