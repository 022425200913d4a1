//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockSQLiteSetup takes an exclusive lock on path + "-setup.lock", beside
// the SQLite file, for instances starting together on one file: SQLite
// serialises each transaction, but the setup is several (tables, then
// "seed if empty"), and two servers interleaving them seeded the admin
// policy twice. The lock is an OS file lock (flock), which the kernel
// drops with the process, so a crashed instance leaves nothing held; the
// lock file itself stays, empty. It is a separate file because SQLite
// locks the database file with fcntl, with which flock may interact (NFS).
// The wait is bounded by setupLockWait and ctx, polled with backoff.
func lockSQLiteSetup(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path+"-setup.lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("setup lock: %w", err)
	}
	deadline := time.Now().Add(setupLockWait)
	delay := 5 * time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			_ = f.Close()
			return nil, fmt.Errorf("setup lock: %w", err)
		}
		if time.Now().After(deadline) {
			_ = f.Close()
			return nil, fmt.Errorf("setup lock: another instance held %s for more than %s", f.Name(), setupLockWait)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			_ = f.Close()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 200*time.Millisecond)
	}
}
