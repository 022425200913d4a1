package csvfile_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/wardenhq/warden/adapters/csvfile"
)

func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&buf, "p, user%d, /posts/%d, GET, allow\ng, user%d, role%d\n", i, i, i, i%50)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		lines, err := csvfile.Parse("bench.csv", bytes.NewReader(data))
		if err != nil || len(lines) != 20000 {
			b.Fatalf("%d lines, %v", len(lines), err)
		}
	}
}
