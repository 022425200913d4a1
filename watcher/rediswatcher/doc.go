// Package rediswatcher is a watcher.Transport on Redis pub/sub, for
// deployments that already run Redis or whose policy store cannot notify
// (MariaDB, SQLite on shared storage).
//
// go-redis re-subscribes silently after a dropped connection, which would hide
// the gap in which messages were lost. This package therefore opens a fresh
// subscription itself after any error, so that the watcher notices the gap and
// asks for a read of the store. Its liveness check waits for the PONG of
// its PING, so a connection that dies silently is found within the health
// interval plus the timeout.
package rediswatcher
