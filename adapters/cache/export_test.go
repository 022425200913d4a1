package cache

// SetTestHooks makes c call joined after each caller has joined (or
// started) a load, and beforeAdd between a load's generation check and its
// add, with the lock held. Either may be nil. Call it before any Fetch.
func SetTestHooks(c *Cache, joined, beforeAdd func()) {
	c.joinedHook, c.beforeAddHook = joined, beforeAdd
}
