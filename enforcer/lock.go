package enforcer

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"unsafe"
)

// readLock is a reader-writer lock whose readers spread over several
// cache-line-padded shards. A plain sync.RWMutex makes every reader write
// one shared counter, so on a multi-core server decisions queue on that
// cache line. Shards only help if each core keeps to its own: a shard picked
// at random still moves between cores on every other decision. Decisions
// therefore lock the shard of their pooled evalCtx, which sync.Pool keeps on
// one P. Writers, which are rare, take every shard.
type readLock struct {
	_      [cacheLinePair]byte // keep the enforcer's other fields off the shards' lines
	shards [lockShards]paddedRWMutex
}

const lockShards = 16

// cacheLinePair is two cache lines: Intel cores fetch lines in adjacent
// pairs, so a shard padded to one line would still share its neighbour's.
const cacheLinePair = 128

type paddedRWMutex struct {
	sync.RWMutex
	_ [cacheLinePair - unsafe.Sizeof(sync.RWMutex{})]byte
}

// rlock takes a read lock on a random shard and returns the token to pass to
// runlock; for occasional readers.
func (l *readLock) rlock() int {
	i := int(rand.Uint32() % lockShards)
	l.shards[i].RLock()
	return i
}

func (l *readLock) runlock(i int) { l.shards[i].RUnlock() }

// rlockAt takes the read lock of shard i (i < lockShards).
func (l *readLock) rlockAt(i int) { l.shards[i].RLock() }

// nextShard hands out shards to new evalCtx values in turn.
var nextShard atomic.Uint32

func newShard() int { return int(nextShard.Add(1) % lockShards) }

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
