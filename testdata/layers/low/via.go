package low

// A package under testdata, which ./... does not list, carries the import.
import _ "example.com/layers/low/testdata/x"
