//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// hookWriter runs hook (once) inside the Write of the first line that
// holds marker, before the writer returns: what runServe does next waits
// until hook is done.
type hookWriter struct {
	buf    lockedBuf
	marker string
	once   sync.Once
	hook   func()
}

func (w *hookWriter) Write(p []byte) (int, error) {
	if strings.Contains(string(p), w.marker) {
		w.once.Do(w.hook)
	}
	return w.buf.Write(p)
}

// TestFailedStartKeepsASetupLockAnotherHolds: serve creates a new SQLite
// file, and another instance, which opened that file, takes the setup lock
// before it; the start then fails (here: stopped while it waits for that
// lock). Removing the setup lock then is removing a lock another instance
// holds: a third instance creates a new lock file, takes it at once, and
// two instances hold "the" setup lock together. The failed start must
// leave a lock it does not hold, and a third instance must wait.
func TestFailedStartKeepsASetupLockAnotherHolds(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "warden.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	gone, stop := context.WithCancel(context.Background())
	stop()
	var unlockOther func()
	defer func() {
		if unlockOther != nil {
			unlockOther()
		}
	}()
	w := &hookWriter{marker: "opening the store", hook: func() {
		// The file is created, its lock file is not there yet: another
		// instance, started at the same moment, takes the setup lock.
		var err error
		if unlockOther, err = lockSQLiteSetup(gone, db); err != nil {
			t.Errorf("the other instance could not take the setup lock: %v", err)
		}
		cancel() // this start cannot get the lock: stop it while it waits
	}}
	args := []string{"--addr", "127.0.0.1:0", "--db", "sqlite://" + db, "--jwt-secret", serveSecret,
		"--model", confModel, "--seed", confPolicy}
	if code := runServe(ctx, args, os.Stdout, w); code != exitError {
		t.Fatalf("serve stopped during its setup: exit %d, want 2\n%s", code, w.buf.String())
	}
	if unlockOther == nil {
		t.Fatalf("the hook did not run\n%s", w.buf.String())
	}
	if unlock, err := lockSQLiteSetup(gone, db); err == nil {
		unlock()
		t.Errorf("after the failed start, a third instance took the setup lock that another instance still holds\n%s", w.buf.String())
	}
}
