package middleware

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unsafe"
)

// unsafeRune's ASCII shortcut answers, for every rune, what the Unicode
// tables answer.
func TestUnsafeRuneIsUnicodes(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == '?' || r == '#'
		if got := unsafeRune(r); got != want {
			t.Fatalf("unsafeRune(%U) = %v; want %v", r, got, want)
		}
	}
}

// A request's state and its request, allocated together, fit the 576-byte
// size class with the 8-byte header the allocator adds to objects over
// 512 bytes that hold pointers: a field more moves every request to the
// 640-byte class, 64 bytes more for the collector per request
// (BenchmarkOverhead's B/op shows it).
func TestPreparedFitsItsSizeClass(t *testing.T) {
	if n := unsafe.Sizeof(prepared{}) + 8; n > 576 {
		t.Fatalf("prepared takes %d bytes with its header; the 576-byte class holds 576", n)
	}
}

// A boxed path is the path; boxing a path boxed before allocates nothing,
// and distinct paths, many more than the slots, never grow the table.
func TestBoxes(t *testing.T) {
	var b boxes
	for i := range 3 * nBoxSlots {
		p := "/p/" + strconv.Itoa(i)
		if v := b.box(p); v != p {
			t.Fatalf("box(%q) = %v", p, v)
		}
	}
	long := "/" + strings.Repeat("x", maxBoxSize)
	if v := b.box(long); v != long {
		t.Fatal("a long path was changed")
	}
	b.box("/data500")
	if n := testing.AllocsPerRun(100, func() { _ = b.box("/data500") }); n != 0 {
		t.Fatalf("boxing a boxed path: %v allocations", n)
	}
}
