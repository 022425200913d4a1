package redisstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters"
	"github.com/wardenhq/warden/permission"
)

// Errors matched with errors.Is.
var (
	// ErrInvalid is wrapped for a value that cannot be stored or loaded.
	ErrInvalid = warden.NewError(warden.ErrInvalid, "redisstore: invalid value")
	// ErrUnsupported is wrapped for a Casbin rule the permissions model
	// does not have.
	ErrUnsupported = warden.NewError(warden.ErrInvalid, "redisstore: unsupported rule")
)

// Key kinds, after the prefix.
const (
	UserGroups      = "user_groups:"
	UserRoles       = "user_roles:"
	UserPermissions = "user_permissions:"
	RolePermissions = "role_permissions:"
)

// Store reads and writes the sets. It is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	owned  bool // Open made rdb: Close closes it
}

// Option configures a Store.
type Option func(*Store)

// WithPrefix puts prefix in front of every key, for example "warden:" or a
// unique prefix per test.
func WithPrefix(prefix string) Option { return func(s *Store) { s.prefix = prefix } }

// New returns a Store on rdb.
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	s := &Store{rdb: rdb}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Open returns a Store on a new client of the Redis server at addr
// (host:port). It does not connect yet: the first command does, and Ping
// tells whether the server answers. The Store owns the client: Close
// closes it.
func Open(addr string, opts ...Option) (*Store, error) {
	if addr == "" {
		return nil, fmt.Errorf("%w: empty Redis address", ErrInvalid)
	}
	s := New(redis.NewClient(&redis.Options{Addr: addr}), opts...)
	s.owned = true
	return s, nil
}

// Close closes the client when the Store made it (Open); a Store made by
// New leaves its client to whoever made it, and Close does nothing.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	return s.rdb.Close()
}

// Ping checks that Redis answers, for readiness checks.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

func (s *Store) key(kind, name string) string { return s.prefix + kind + name }

// Groups returns the caller's groups, user_groups ∪ user_roles. It is a
// groups provider through warden.ProviderFunc(s.Groups).
func (s *Store) Groups(ctx context.Context, tok *warden.Token) ([]string, error) {
	id, err := adapters.IdentityOf(tok)
	if err != nil {
		return nil, err
	}
	res, err := s.rdb.SUnion(ctx, s.key(UserGroups, id), s.key(UserRoles, id)).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: groups of %q: %w", id, err)
	}
	slices.Sort(res)
	return res, nil
}

// Permissions returns the permissions of the caller and of each of their
// groups and roles. It is a permissions provider through
// warden.ProviderFunc(s.Permissions).
func (s *Store) Permissions(ctx context.Context, tok *warden.Token) ([]string, error) {
	id, err := adapters.IdentityOf(tok)
	if err != nil {
		return nil, err
	}
	groups, err := s.Groups(ctx, tok)
	if err != nil {
		return nil, err
	}
	keys := []string{s.key(UserPermissions, id), s.key(RolePermissions, id)}
	for _, g := range groups {
		keys = append(keys, s.key(UserPermissions, g), s.key(RolePermissions, g))
	}
	res, err := s.rdb.SUnion(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: permissions of %q: %w", id, err)
	}
	slices.Sort(res)
	return res, nil
}

// Add adds values to the set of kind (UserGroups, UserRoles,
// UserPermissions or RolePermissions) for name. Permissions are checked
// with permission.Validate.
func (s *Store) Add(ctx context.Context, kind, name string, values ...string) error {
	if err := s.check(kind, name, values); err != nil {
		return err
	}
	if len(values) == 0 {
		return nil
	}
	if err := s.rdb.SAdd(ctx, s.key(kind, name), toAny(values)...).Err(); err != nil {
		return fmt.Errorf("redisstore: add to %s%s: %w", kind, name, err)
	}
	return nil
}

// Remove removes values from the set of kind for name.
func (s *Store) Remove(ctx context.Context, kind, name string, values ...string) error {
	if err := s.checkKind(kind, name); err != nil {
		return err
	}
	if len(values) == 0 {
		return nil
	}
	if err := s.rdb.SRem(ctx, s.key(kind, name), toAny(values)...).Err(); err != nil {
		return fmt.Errorf("redisstore: remove from %s%s: %w", kind, name, err)
	}
	return nil
}

func (s *Store) checkKind(kind, name string) error {
	switch kind {
	case UserGroups, UserRoles, UserPermissions, RolePermissions:
	default:
		return fmt.Errorf("%w: unknown key kind %q", ErrInvalid, kind)
	}
	if name == "" {
		return fmt.Errorf("%w: empty name", ErrInvalid)
	}
	return nil
}

func (s *Store) check(kind, name string, values []string) error {
	if err := s.checkKind(kind, name); err != nil {
		return err
	}
	for _, v := range values {
		if kind == UserPermissions || kind == RolePermissions {
			if err := permission.Validate(v); err != nil {
				return fmt.Errorf("%w: %w", ErrInvalid, err)
			}
		} else if v == "" {
			return fmt.Errorf("%w: empty group name", ErrInvalid)
		}
	}
	return nil
}

func toAny(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// ruleValue reports whether v can be a Casbin rule value (see
// adapters.CheckRuleValue).
func ruleValue(v string) error {
	if err := adapters.CheckRuleValue(v); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}
