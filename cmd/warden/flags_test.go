package main

import (
	"io"
	"slices"
	"testing"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantPos  []string
		wantX    bool
		wantM    string
		wantCode int
	}{
		{[]string{"-x", "a", "b"}, []string{"a", "b"}, true, "", -1},
		{[]string{"a", "-x", "b", "--m", "f"}, []string{"a", "b"}, true, "f", -1},
		{[]string{"a", "--", "-x", "b"}, []string{"a", "-x", "b"}, false, "", -1},
		{[]string{"--", "--", "a"}, []string{"--", "a"}, false, "", -1},
		{[]string{}, nil, false, "", -1},
		{[]string{"a", "-bogus"}, nil, false, "", 2},
		{[]string{"-h"}, nil, false, "", 0},
	}
	for _, tt := range tests {
		fs := newFlagSet("t", "", io.Discard, io.Discard)
		x := fs.Bool("x", false, "")
		m := fs.String("m", "", "")
		pos, code := parseFlags(fs, tt.args)
		if code != tt.wantCode || !slices.Equal(pos, tt.wantPos) || (code < 0 && (*x != tt.wantX || *m != tt.wantM)) {
			t.Errorf("parseFlags(%q) = %q, %d (x=%v m=%q); want %q, %d (x=%v m=%q)", tt.args, pos, code, *x, *m, tt.wantPos, tt.wantCode, tt.wantX, tt.wantM)
		}
	}
}
