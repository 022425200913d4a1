package sqlstore

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/permission"
)

// Errors matched with errors.Is.
var (
	// ErrInvalid is wrapped when an identity, group name or permission
	// cannot be stored or looked up (too long, empty, NUL, not UTF-8, a
	// malformed permission). It means bad caller data, not a failing
	// store: a token whose identity the store refuses should be answered
	// 403, like adapters.ErrNoIdentity, while other errors mean the source
	// is unavailable (503). A database error never wraps it.
	ErrInvalid = warden.NewError(warden.ErrInvalid, "sqlstore: invalid value")
	// ErrNotRuleValue is wrapped when a stored value cannot be a Casbin
	// rule value (see the package documentation).
	ErrNotRuleValue = warden.NewError(warden.ErrInvalid, "sqlstore: value cannot be a Casbin rule value")
	// ErrUnsupported is wrapped when a Casbin call names a ptype or rule
	// shape that the permissions model does not have.
	ErrUnsupported = warden.NewError(warden.ErrInvalid, "sqlstore: unsupported rule")
)

// Limits on stored values, in characters.
const (
	MaxIdentityLen = 500
	MaxGroupLen    = 255
)

// Default table names.
const (
	DefaultGroupsTable      = "authz_groups"
	DefaultPermissionsTable = "authz_permissions"
)

// Store reads and writes groups and permissions in two SQL tables. It is
// safe for concurrent use.
type Store struct {
	db          *gorm.DB
	groups      string
	permissions string
	inherit     bool
	owned       bool // Open opened db: Close closes it
}

// Option configures a Store.
type Option func(*Store)

// WithTables sets the table names, for example to give each test its own.
// Names must be plain SQL identifiers (letters, digits, '_').
func WithTables(groups, permissions string) Option {
	return func(s *Store) { s.groups, s.permissions = groups, permissions }
}

// WithGroupPermissions makes the Permissions provider method also return
// the permissions granted to each of the caller's groups (one level), as
// the permissions model would grant them once loaded into an enforcer. Users
// and groups share one namespace of subjects, as in Casbin: a group named
// like a user gets that user's permissions.
func WithGroupPermissions() Option { return func(s *Store) { s.inherit = true } }

// identRe allows up to 50 characters, so that index names derived from a
// table name stay within PostgreSQL's 63-byte identifier limit.
var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,49}$`)

// New returns a Store on db. It does not touch the database; call Migrate
// to create the tables.
func New(db *gorm.DB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: nil *gorm.DB")
	}
	s := &Store{db: db, groups: DefaultGroupsTable, permissions: DefaultPermissionsTable}
	for _, o := range opts {
		o(s)
	}
	for _, t := range []string{s.groups, s.permissions} {
		if !identRe.MatchString(t) {
			return nil, fmt.Errorf("sqlstore: table name %q is not a plain identifier", t)
		}
	}
	if s.groups == s.permissions {
		return nil, fmt.Errorf("sqlstore: groups and permissions need different tables, both are %q", s.groups)
	}
	switch d := db.Dialector.Name(); d {
	case "postgres", "mysql", "sqlite":
	default:
		return nil, fmt.Errorf("sqlstore: unsupported database %q (want postgres, mysql or sqlite)", d)
	}
	return s, nil
}

// Tables returns the groups and permissions table names.
func (s *Store) Tables() (groups, permissions string) { return s.groups, s.permissions }

func checkIdentity(id string) error {
	if id == "" {
		return fmt.Errorf("%w: %w", ErrInvalid, adapters.ErrNoIdentity)
	}
	return checkText("identity", id, MaxIdentityLen)
}

func checkGroup(g string) error {
	if g == "" {
		return fmt.Errorf("%w: empty group name", ErrInvalid)
	}
	return checkText("group name", g, MaxGroupLen)
}

func checkPermission(p string) error {
	if err := permission.Validate(p); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

func checkText(what, v string, max int) error {
	switch {
	case !utf8.ValidString(v):
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, what)
	case strings.ContainsRune(v, 0):
		return fmt.Errorf("%w: %s contains NUL", ErrInvalid, what)
	case utf8.RuneCountInString(v) > max:
		return fmt.Errorf("%w: %s is longer than %d characters", ErrInvalid, what, max)
	}
	return nil
}

// checkRuleValue reports whether v can be a Casbin rule value without being
// confused with another rule (see adapters.CheckRuleValue).
func checkRuleValue(v string) error {
	if err := adapters.CheckRuleValue(v); err != nil {
		return fmt.Errorf("%w: %w", ErrNotRuleValue, err)
	}
	return nil
}
