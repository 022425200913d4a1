package csvfile_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wardenhq/warden/adapters/csvfile"
)

func ExampleParse() {
	const policy = "# roles\np, editor, \"/a, b\", GET  \r\ng, alice, editor\r\n"
	lines, err := csvfile.Parse("policy.csv", strings.NewReader(policy))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range lines {
		fmt.Printf("%d %s %q\n", l.Num, l.PType, l.Values)
	}
	// Output:
	// 2 p ["editor" "/a, b" "GET"]
	// 3 g ["alice" "editor"]
}

func ExampleParseError() {
	_, err := csvfile.Parse("policy.csv", strings.NewReader("p, alice, /posts, GET\np, \"bob, /posts, GET\n"))
	fmt.Println(err)
	fmt.Println(errors.Is(err, csvfile.ErrSyntax))
	// Output:
	// policy.csv:2: syntax error: extraneous or missing " in quoted-field at column 21
	// true
}
