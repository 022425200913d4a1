package overhead

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// sink keeps BenchmarkAllocCost's allocation on the heap.
var sink *[64]*int

// BenchmarkAllocCost measures what one 512-byte allocation per request
// costs a bare net/http handler over two live heaps of the same size: the
// 110,000 rules' enforcer ("policy") and a pointer-free byte slice
// ("pointer-free"). The collector runs once per heap's worth of
// allocation, and each run marks every pointer of the live heap: over the
// policy the same byte costs several times what it costs over the pointer-free
// heap, which is why each byte the middleware allocates per request
// weighs in its overhead (see doc.go, floor).
func BenchmarkAllocCost(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	req := httptest.NewRequest("GET", Path, nil)
	var live any
	var size uint64 // the policy's heap, which the pointer-free one matches
	heaps := []struct {
		name string
		make func() any
	}{
		{"policy", func() any {
			e := Enforcer(b)
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			size = ms.HeapAlloc
			return e
		}},
		{"pointer-free", func() any { return make([]byte, size) }},
	}
	for _, heap := range heaps {
		live = nil
		runtime.GC()
		live = heap.make()
		runtime.GC()
		for _, extra := range []bool{false, true} {
			name := heap.name + "/plain"
			if extra {
				name = heap.name + "/alloc512"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if extra {
						sink = new([64]*int)
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
				}
			})
		}
	}
	runtime.KeepAlive(live)
}
