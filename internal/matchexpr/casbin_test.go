package matchexpr

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2/model"
)

// TestCasbinTextIsCasbins: CasbinText gives the text Casbin's own loader
// makes of a [matchers] value, and its source map points every byte of it
// at the byte it came from.
func TestCasbinTextIsCasbins(t *testing.T) {
	pieces := []string{"r.sub", "p.obj", " == ", "&&", "(", ")", `"é"`, `'a\b'`, `"x\"`, "[a]", "in", " # c", "r2.x", "!r.a",
		"r.obj.Owner", "?p.x", "'it\"s'", "\\", "  ", "admin"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		var b strings.Builder
		for i := r.IntN(8); i >= 0; i-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		raw := b.String()
		m := model.NewModel()
		m.AddDef("m", "m", raw)
		want := ""
		if a, ok := m["m"]["m"]; ok {
			want = a.Value
		}
		got, source := CasbinText(raw)
		if got != want {
			t.Fatalf("CasbinText(%q) = %q; Casbin %q", raw, got, want)
		}
		for i := 0; i < len(got); i++ {
			s := source(i)
			if s < 0 || s >= len(raw) {
				t.Fatalf("%q: byte %d maps to %d", raw, i, s)
			}
			if c := got[i]; c < 0x80 && c != '_' && c != '(' && c != ')' && raw[s] != c {
				t.Fatalf("%q: byte %d (%q) maps to %q", raw, i, c, raw[s])
			}
		}
	}
	text, source := CasbinText(`  r.sub == "é" && r.obj == 'a\b' # note`)
	if text != `r_sub == "Ã©" && r_obj == 'a\\b'` {
		t.Fatalf("text %q", text)
	}
	if i := strings.Index(text, "r_obj"); source(i) != strings.Index(`  r.sub == "é" && r.obj == 'a\b'`, "r.obj") {
		t.Fatalf("r_obj at %d maps to %d", i, source(i))
	}
}
