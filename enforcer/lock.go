package enforcer

import (
	"math/rand/v2"
	"sync"
)

// readLock is a reader-writer lock whose readers spread over several
// cache-line-padded shards. A plain sync.RWMutex makes every reader write
// one shared counter, so on a busy multi-core server decisions queue on that
// cache line; here two readers rarely touch the same shard. Writers, which
// are rare, take every shard.
type readLock struct {
	shards [lockShards]paddedRWMutex
}

const lockShards = 16

type paddedRWMutex struct {
	sync.RWMutex
	_ [64 - 24]byte // keep each shard on its own cache line
}

// rlock takes a read lock and returns the token to pass to runlock.
func (l *readLock) rlock() int {
	i := int(rand.Uint32() % lockShards)
	l.shards[i].RLock()
	return i
}

func (l *readLock) runlock(i int) { l.shards[i].RUnlock() }

func (l *readLock) lock() {
	for i := range l.shards {
		l.shards[i].Lock()
	}
}

func (l *readLock) unlock() {
	for i := range l.shards {
		l.shards[i].Unlock()
	}
}
