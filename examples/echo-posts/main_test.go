package main

import (
	"testing"

	"github.com/wardenhq/warden/examples/internal/postsdemo/demotest"
)

func TestDemo(t *testing.T) {
	for name, db := range demotest.Databases(t) {
		t.Run(name, func(t *testing.T) {
			table := demotest.UniqueTable("echo_posts_rules")
			app := demotest.Start(t, run, "--db", db, "--table", table)
			demotest.Exercise(t, app)
			if err := app.Stop(); err != nil {
				t.Fatalf("run returned %v", err)
			}
			// Second start on the same database: the policy is loaded, not
			// seeded again, and the printed tokens work just the same.
			again := demotest.Start(t, run, "--db", db, "--table", table)
			demotest.Exercise(t, again)
			demotest.CheckSeededOnce(t, db, table)
		})
	}
}

func TestDemoWithSecretAndTokenGroups(t *testing.T) {
	demotest.ExerciseSecret(t, run)
}
