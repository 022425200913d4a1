package enforcer

import "github.com/casbin/casbin/v2/persist"

// Adapter returns the adapter the enforcer was built with (nil for a
// policy kept only in memory). Package policyadmin asks it for the
// rulelog store of the other policy, whose rules the lockout guard reads
// inside a change's transaction; writing through it directly would bypass
// the enforcer's checks and leave its memory behind.
func (e *Enforcer) Adapter() persist.Adapter { return e.adapter }
