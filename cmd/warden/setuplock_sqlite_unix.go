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
	open := func() (*os.File, error) {
		f, err := os.OpenFile(path+"-setup.lock", os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("setup lock: %w", err)
		}
		return f, nil
	}
	f, err := open()
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(setupLockWait)
	delay := 5 * time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			if isLockFile(f, path) {
				return func() {
					_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
					_ = f.Close()
				}, nil
			}
			// A failed start removed the lock file while this one waited
			// on it (removeSQLiteSetupLock): lock the file there now, as
			// an instance starting after the removal does.
			_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			_ = f.Close()
			if f, err = open(); err != nil {
				return nil, err
			}
			continue
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

// isLockFile reports whether f, opened as path's setup lock, is still the
// file of that name.
func isLockFile(f *os.File, path string) bool {
	held, err := f.Stat()
	if err != nil {
		return false
	}
	named, err := os.Stat(path + "-setup.lock")
	return err == nil && os.SameFile(held, named)
}

// removeSQLiteSetupLock removes path's setup lock file, which a failed
// start made, unless another instance holds the lock or waits to take it
// first: it removes the file only while holding the lock itself, and an
// instance that was waiting on the removed file locks the new one instead
// (lockSQLiteSetup). A lock file another instance holds stays.
func removeSQLiteSetupLock(path string) error {
	f, err := os.OpenFile(path+"-setup.lock", os.O_RDWR, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil // another instance's now
		}
		return err
	}
	defer func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }()
	if !isLockFile(f, path) {
		return nil
	}
	return os.Remove(path + "-setup.lock")
}
