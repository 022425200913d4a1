// Package x, under testdata, imports high for low.
package x

import _ "example.com/layers/high"
