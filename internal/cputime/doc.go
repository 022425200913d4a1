// Package cputime reads the CPU time the process has used, for benchmarks
// that report it beside ns/op: on a machine whose cores are shared, the
// wall time of a loop grows with the other processes' load, its CPU time
// much less, so CPU time is the figure that compares runs taken at
// different loads. It is for benchmarks only.
package cputime
