package enforcer

import "errors"

var (
	// ErrInvalidRequest is returned when a request does not fit the model:
	// the wrong number of fields, or a request-scoped rule of the wrong size.
	ErrInvalidRequest = errors.New("enforcer: invalid request")
	// ErrInvalidRule is returned for a rule whose ptype the model does not
	// define, or whose number of values does not match the definition.
	ErrInvalidRule = errors.New("enforcer: invalid rule")
	// ErrInvalidModel is returned for a model Casbin rejects or that lacks
	// a section a decision needs.
	ErrInvalidModel = errors.New("enforcer: invalid model")
	// ErrUnsupported is returned when a request asks for something the
	// model's evaluation cannot do, such as request-scoped groups on a model
	// that only Casbin's own enforcer can decide.
	ErrUnsupported = errors.New("enforcer: unsupported")
	// ErrNotAnnounced is returned by AddRules and RemoveRules when the change
	// was stored and applied here but the watcher could not tell the other
	// instances: they catch up on their next reload.
	ErrNotAnnounced = errors.New("enforcer: change not announced to other instances")
	// ErrSyncAttached is returned when a second owner of an enforcer's sync
	// is attached: a second watcher to announce through (AnnounceThrough,
	// SetWatcher, policysync.WithWatcher), or a second follower (SetWatcher,
	// a policysync.Follower). Replacing the first silently would leave its
	// callback, or the announcements, in a state nobody chose.
	ErrSyncAttached = errors.New("enforcer: sync already attached")
	// ErrEvaluation wraps a failure while evaluating the matcher (a bad
	// regular expression in a rule, an attribute the request lacks).
	ErrEvaluation = errors.New("enforcer: evaluation failed")
)
