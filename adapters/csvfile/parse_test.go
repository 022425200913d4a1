package csvfile_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/wardenhq/warden/adapters/csvfile"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []csvfile.Line
	}{
		{"empty file", "", nil},
		{"only comments and blanks", "# a comment\n\n   \n  # indented comment\n", nil},
		{"simple", "p, alice, /posts, GET\ng, alice, editor\n",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{"alice", "/posts", "GET"}}, {Num: 2, PType: "g", Values: []string{"alice", "editor"}}}},
		{"no final newline", "p, alice, /posts, GET",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{"alice", "/posts", "GET"}}}},
		{"CRLF", "# c\r\np, a, b, c\r\n\r\ng, a, b\r\n",
			[]csvfile.Line{{Num: 2, PType: "p", Values: []string{"a", "b", "c"}}, {Num: 4, PType: "g", Values: []string{"a", "b"}}}},
		{"UTF-8 BOM", "\xef\xbb\xbfp, a, b, c\n",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{"a", "b", "c"}}}},
		{"BOM before a comment", "\xef\xbb\xbf# c\np, a, b, c\n",
			[]csvfile.Line{{Num: 2, PType: "p", Values: []string{"a", "b", "c"}}}},
		{"quoted field with comma", `p, "r.sub.Age > 18, r.sub.Age < 60", doc, read` + "\n",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{"r.sub.Age > 18, r.sub.Age < 60", "doc", "read"}}}},
		{"escaped quote", `p, alice, "say ""hi""", read` + "\n",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{"alice", `say "hi"`, "read"}}}},
		{"quoted spaces kept", `p, " alice ", b, c` + "\n",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{" alice ", "b", "c"}}}},
		// As Casbin reads a line: the space after a comma and at the end of
		// the line goes, the space before a comma stays (the enforcer then
		// refuses the value, naming the line and the field).
		{"space before a comma kept", "p, alice  ,  /posts\t, GET   \t\n",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{"alice  ", "/posts\t", "GET"}}}},
		{"no spaces", "p,alice,/posts,GET\n",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{"alice", "/posts", "GET"}}}},
		{"hash inside a value", "p, alice, /posts#x, GET\n",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{"alice", "/posts#x", "GET"}}}},
		{"empty field", "p, alice, , GET\n",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{"alice", "", "GET"}}}},
		{"numbered ptypes", "p2, a\ng3, b, c\n",
			[]csvfile.Line{{Num: 1, PType: "p2", Values: []string{"a"}}, {Num: 2, PType: "g3", Values: []string{"b", "c"}}}},
		{"unicode values", "p, zoë, /straße, GET\n",
			[]csvfile.Line{{Num: 1, PType: "p", Values: []string{"zoë", "/straße", "GET"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := csvfile.Parse("policy.csv", strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	long := "p, alice, /" + strings.Repeat("x", 10<<20) + ", GET\n"
	tests := []struct {
		name    string
		in      string
		wantErr error
		wantMsg string
	}{
		{"unterminated quote", "p, a, b, c\np, \"a, b, c\n", csvfile.ErrSyntax,
			`policy.csv:2: syntax error: extraneous or missing " in quoted-field at column 12`},
		{"bare quote", "p, a\"b, c, d\n", csvfile.ErrSyntax,
			`policy.csv:1: syntax error: bare " in non-quoted-field at column 5`},
		{"text after closing quote", "p, \"a\"b, c, d\n", csvfile.ErrSyntax,
			`policy.csv:1: syntax error: extraneous or missing " in quoted-field at column 6`},
		{"lone carriage return", "p, a\rb, c, d\n", csvfile.ErrSyntax,
			`policy.csv:1: syntax error: carriage return at column 5`},
		{"10 MB line", "p, a, b, c\n" + long, csvfile.ErrLineTooLong,
			`policy.csv:2: line too long: longer than 1048576 bytes`},
		{"10 MB line without newline", long[:len(long)-1], csvfile.ErrLineTooLong,
			`policy.csv:1: line too long: longer than 1048576 bytes`},
		{"NUL byte", "p, a, b, c\n\np, a\x00, b, c\n", csvfile.ErrBinary,
			`policy.csv:3: binary data: NUL byte at column 5`},
		{"invalid UTF-8", "p, a, b, c\np, \xff\xfe, b, c\n", csvfile.ErrBinary,
			`policy.csv:2: binary data: invalid UTF-8 at column 4`},
		{"binary garbage", "\x7fELF\x02\x01\x01\x00\x00\x00", csvfile.ErrBinary,
			`policy.csv:1: binary data: NUL byte at column 8`},
		{"unknown ptype shape", "x, a, b\n", csvfile.ErrUnknownPType,
			`policy.csv:1: field ptype: unknown ptype: "x" is not a ptype (p, p2, ..., g, g2, ...)`},
		{"empty ptype", ", a, b\n", csvfile.ErrUnknownPType,
			`policy.csv:1: field ptype: unknown ptype: "" is not a ptype (p, p2, ..., g, g2, ...)`},
		{"p1 is not a key Casbin uses", "p1, a, b\n", csvfile.ErrUnknownPType,
			`policy.csv:1: field ptype: unknown ptype: "p1" is not a ptype (p, p2, ..., g, g2, ...)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := csvfile.Parse("policy.csv", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error, got %v", got)
			}
			if got != nil {
				t.Errorf("lines returned with an error: %v", got)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v is not %v", err, tt.wantErr)
			}
			var pe *csvfile.ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
			if err.Error() != tt.wantMsg {
				t.Errorf("message\n got %s\nwant %s", err, tt.wantMsg)
			}
		})
	}
}

func TestLineString(t *testing.T) {
	l := csvfile.Line{PType: "p", Values: []string{"alice", "a, b", `q"`, ""}}
	if got, want := l.String(), `p, alice, "a, b", "q""", ""`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
