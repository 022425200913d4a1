package enforcer

// Compactions is how many times e rebuilt its policy to give back the
// space of removed rules (pack.go), for the tests of that rebuild.
func Compactions(e *Enforcer) uint64 { return e.compactions.Load() }
