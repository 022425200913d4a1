package filewatch_test

import (
	"context"
	"log"

	"github.com/wardenhq/warden/adapters/filewatch"
	"github.com/wardenhq/warden/enforcer"
)

// Reload an enforcer whenever its policy.csv changes. A bad edit is
// reported with its file and line, and the policy in force stays.
// (Compiled, not run: it needs files and waits for changes.)
func Example() {
	ctx := context.Background()
	e, err := enforcer.NewFromFiles(ctx, "model.conf", "policy.csv")
	if err != nil {
		log.Fatal(err)
	}
	// docs:begin filewatch
	w, err := filewatch.New("policy.csv",
		filewatch.WithReload(e.Reload),                                 // the enforcer keeps its policy if the file is bad
		filewatch.WithErrorHandler(func(err error) { log.Print(err) })) // "policy.csv:3: ..."
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	// docs:end filewatch
	// ... serve requests with e ...
}
