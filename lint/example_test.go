package lint_test

import (
	"fmt"

	"github.com/wardenhq/warden/lint"
)

func ExampleCheck() {
	probs, err := lint.Check("testdata/domains/model.conf", "testdata/domains/policy.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range probs {
		fmt.Println(p)
	}
	// Output:
	// testdata/domains/policy.csv:4: role cycle in domain t1: admin -> alice -> admin (closed by this line)
}
