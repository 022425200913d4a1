package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// decoderDuplicate is the reference for duplicateMember: encoding/json's
// tokenizer, which unescapes names, walking every object.
func decoderDuplicate(b []byte) (dup string, valid bool) {
	if !json.Valid(b) {
		return "", false
	}
	type frame struct {
		seen     map[string]bool // nil for an array
		wantName bool
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var stack []*frame
	done := func() {
		if n := len(stack); n > 0 && stack[n-1].seen != nil {
			stack[n-1].wantName = true
		}
	}
	for {
		t, err := dec.Token()
		if err != nil {
			return "", true
		}
		if n := len(stack); n > 0 && stack[n-1].wantName {
			if name, ok := t.(string); ok {
				if stack[n-1].seen[name] {
					return name, true
				}
				stack[n-1].seen[name], stack[n-1].wantName = true, false
				continue
			}
		}
		switch t {
		case json.Delim('{'):
			stack = append(stack, &frame{seen: map[string]bool{}, wantName: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			done()
		default:
			done()
		}
	}
}

// FuzzDuplicateMember: on valid JSON the scanner finds a duplicate exactly
// when encoding/json's tokenizer does (the name may differ when there are
// several), and it never panics on any input.
func FuzzDuplicateMember(f *testing.F) {
	for _, s := range []string{
		`{"sub":"a","sub":"b"}`, `{"sub":"a","\u0073ub":"b"}`, `{"a":{"x":1,"x":2}}`, `{"a":[{"x":1},{"x":1}]}`,
		`{"a":"}\"{","b":1}`, `{}`, `[]`, `{"a":[],"b":{},"c":null,"d":-1.5e3,"e":true}`, `{"a\\"":1,"a\"":2}`,
		`{"a":1,}`, `{"a"`, `"x"`, ` { "a" : 1 , "a" : 2 } `,
		"{\"a\xff\":1,\"a\xfe\":2}", "{\"a\xff\":1,\"a\\ufffd\":2}", `{"a\ud800":1,"a\udc00":2}`,
		// wider than the scanner's list: its names are then in a set
		`{"0":0,"1":0,"2":0,"3":0,"4":0,"5":0,"6":0,"7":0,"8":0,"9":0,"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"\u0030":1}`,
		`{"0":0,"1":0,"2":0,"3":0,"4":0,"5":0,"6":0,"7":0,"8":0,"9":0,"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":{"g":0},"h":0}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := duplicateMember(b)
		want, valid := decoderDuplicate(b)
		if valid && (got == "") != (want == "") {
			t.Fatalf("%q: scanner %q, encoding/json %q", b, got, want)
		}
	})
}

// TestScanDepthBounded: the scanner recurses per level, so it stops at
// encoding/json's nesting limit instead of walking (and growing its stack
// for) whatever depth a large token holds; jwt refuses such input anyway.
func TestScanDepthBounded(t *testing.T) {
	for _, tt := range []struct {
		depth int
		stop  bool
	}{{maxNesting, false}, {maxNesting + 1, true}, {200_000, true}} {
		deep := strings.Repeat(`{"a":`, tt.depth-1) + "{}" + strings.Repeat("}", tt.depth-1)
		mixed := strings.Repeat(`[`, tt.depth) + strings.Repeat("]", tt.depth)
		for _, b := range []string{deep, mixed} {
			if sc := scan([]byte(b)); sc.stop != tt.stop || sc.dup != "" {
				t.Errorf("depth %d (%.2s…): stop %v, dup %q; want stop %v", tt.depth, b, sc.stop, sc.dup, tt.stop)
			}
			if json.Valid([]byte(b)) == tt.stop {
				t.Errorf("depth %d (%.2s…): encoding/json disagrees on validity", tt.depth, b)
			}
		}
	}
}

// BenchmarkDuplicateMember measures the scan of a typical claims set.
func BenchmarkDuplicateMember(b *testing.B) {
	claims := []byte(`{"iss":"https://issuer.example","aud":"posts-api","sub":"dave","groups":["viewer","beta"],` +
		`"realm_access":{"roles":["a","b"]},"iat":1700000000,"exp":1700003600}`)
	b.ReportAllocs()
	for b.Loop() {
		if duplicateMember(claims) != "" {
			b.Fatal("duplicate")
		}
	}
}

// TestScanWideObjectIsLinear: the scan runs on every presented token
// before its signature is checked, and compared each member's name with
// every earlier one: a forged claims object of distinct short names cost
// n²/2 comparisons, for anyone without a key. Verify of such a token took
// 1.2-1.4 ms at the default 8 KiB bound (0.5 ms with a set, most of it
// encoding/json decoding the same object) and 41-48 ms at WithMaxSize
// 64 KiB (3.7 ms). An object's names past the first 16 are kept in a
// set, so the scan is linear, and still finds the duplicate.
func TestScanWideObjectIsLinear(t *testing.T) {
	for _, n := range []int{100, 1000, 10_000} {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, `"%x":0,`, i)
		}
		wide := b.String()
		for _, tt := range []struct {
			doc, dup string
		}{{wide + `"end":0}`, ""}, {wide + `"5":1}`, "5"}, {wide + `"\u0035":1}`, "5"}} {
			sc := scan([]byte(tt.doc))
			if sc.dup != tt.dup {
				t.Errorf("%d members: dup %q, want %q", n, sc.dup, tt.dup)
			}
			if limit := 20 * (n + 1); sc.compares > limit {
				t.Errorf("%d members: %d name comparisons, want at most %d", n, sc.compares, limit)
			}
		}
	}
}
