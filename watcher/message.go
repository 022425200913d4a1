package watcher

import (
	"encoding/json"
	"fmt"
	"time"
)

// Op names the kind of policy change a [Message] announces.
type Op string

// The operations a message can carry. They mirror the Casbin WatcherEx and
// UpdatableWatcher methods; OpReload and OpSave ask receivers for a full reload.
const (
	OpAdd            Op = "add"             // Rules were added to PType.
	OpRemove         Op = "remove"          // Rules were removed from PType.
	OpRemoveFiltered Op = "remove_filtered" // Rules of PType matching FieldIndex/FieldValues were removed.
	OpUpdate         Op = "update"          // Rules[i] of PType was replaced by NewRules[i].
	OpSave           Op = "save"            // The whole policy was saved; reload it.
	OpReload         Op = "reload"          // Something changed or may have been missed; reload it.
)

// Reasons set on reload messages the watcher makes itself, so that logs and
// metrics can tell an explicit reload from a defensive one.
const (
	ReasonReconnect       = "reconnect"         // the subscription was lost and re-established
	ReasonPayloadTooLarge = "payload_too_large" // the change did not fit the transport
	ReasonMalformed       = "malformed"         // a payload on the channel could not be decoded
)

// Message is the JSON payload exchanged between instances.
type Message struct {
	// Instance is the sender's instance id; a watcher drops its own messages.
	Instance string `json:"instance"`
	Op       Op     `json:"op"`
	// Sec is the Casbin model section ("p" or "g"); PType the policy type ("p", "g2"...).
	Sec   string `json:"sec,omitempty"`
	PType string `json:"ptype,omitempty"`
	// Rules are the added or removed rules, or the old rules of an OpUpdate.
	Rules [][]string `json:"rules,omitempty"`
	// NewRules are the replacements of an OpUpdate, index for index with Rules.
	NewRules [][]string `json:"new_rules,omitempty"`
	// FieldIndex and FieldValues are the filter of an OpRemoveFiltered: rules whose
	// fields starting at FieldIndex equal FieldValues ("" matches anything).
	FieldIndex  int      `json:"field_index,omitempty"`
	FieldValues []string `json:"field_values,omitempty"`
	// SentAt is the sender's clock at publish time; receivers derive the
	// propagation lag from it (meaningful when clocks are synchronised).
	SentAt time.Time `json:"sent_at"`
	// Reason explains a reload the watcher made itself (Reason* constants).
	Reason string `json:"reason,omitempty"`
}

// FullReload reports whether the receiver must reload the whole policy rather
// than apply Rules.
func (m Message) FullReload() bool { return m.Op == OpReload || m.Op == OpSave }

// Encode returns the JSON payload of m.
func (m Message) Encode() (string, error) {
	if err := m.validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("watcher: encode message: %w", err)
	}
	return string(b), nil
}

// Decode parses and validates a payload received by an update callback. An
// enforcer uses it to apply the one changed rule instead of reloading; any
// error (wrapping [ErrMalformed]) should be answered with a full reload.
// Unknown fields are ignored, so that older instances can read messages from
// newer ones during a rolling upgrade.
func Decode(payload string) (Message, error) {
	var m Message
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		return Message{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err := m.validate(); err != nil {
		return Message{}, err
	}
	return m, nil
}

func (m Message) validate() error {
	if m.Instance == "" {
		return fmt.Errorf("%w: field \"instance\" is empty", ErrMalformed)
	}
	switch m.Op {
	case OpReload, OpSave:
		return nil
	case OpAdd, OpRemove, OpUpdate, OpRemoveFiltered:
	default:
		return fmt.Errorf("%w: field \"op\" has unknown value %q", ErrMalformed, m.Op)
	}
	if m.PType == "" {
		return fmt.Errorf("%w: field \"ptype\" is empty for op %q", ErrMalformed, m.Op)
	}
	switch m.Op {
	case OpRemoveFiltered:
		if m.FieldIndex < 0 {
			return fmt.Errorf("%w: field \"field_index\" is negative (%d)", ErrMalformed, m.FieldIndex)
		}
		return nil
	case OpUpdate:
		if len(m.Rules) != len(m.NewRules) {
			return fmt.Errorf("%w: fields \"rules\" (%d) and \"new_rules\" (%d) differ in length",
				ErrMalformed, len(m.Rules), len(m.NewRules))
		}
	}
	if len(m.Rules) == 0 {
		return fmt.Errorf("%w: field \"rules\" is empty for op %q", ErrMalformed, m.Op)
	}
	return nil
}
