//go:build !unix

package main

import "context"

// lockSQLiteSetup takes no lock where flock is not available: instances
// starting together on one SQLite file there may each seed an empty
// policy (each transaction is still serialised by SQLite).
func lockSQLiteSetup(context.Context, string) (unlock func(), err error) { return func() {}, nil }

// removeSQLiteSetupLock has nothing to remove: no lock file is made here.
func removeSQLiteSetupLock(string) error { return nil }
