package policysync

import "time"

// WithClock replaces time.Now, for tests of the lag rules.
func WithClock(now func() time.Time) Option { return withClock(now) }
