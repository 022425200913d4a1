package main

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/wardenhq/warden/adapters/rulelog"
	"github.com/wardenhq/warden/config"
)

// storeOptions configures the rule store of one policy of a deployment. On
// PostgreSQL without a Redis watcher the running servers listen on the
// policy's channel, so the store announces each revision there inside the
// change's transaction (delivered at commit, never for a rollback); with
// Redis, or on MySQL and SQLite, the enforcer hints through its watcher
// after the commit. Either way the announcement carries no rules.
func storeOptions(dsn, redisAddr, channel, instance string) []rulelog.Option {
	if redisAddr == "" && config.Dialect(dsn) == "postgres" {
		return []rulelog.Option{rulelog.WithNotify(channel, instance)}
	}
	return nil
}

// newInstanceID names this process in the hints it sends, so that its own
// watcher can tell them from the others'.
func newInstanceID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails
	return hex.EncodeToString(b[:])
}
