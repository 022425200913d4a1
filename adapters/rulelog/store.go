package rulelog

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/casbin/casbin/v2/persist"
	"gorm.io/gorm"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/adapters/sqlstore"
	"github.com/wardenhq/warden/enforcer"
)

// Compile-time proof of the interfaces a Store serves.
var (
	_ persist.Adapter        = (*Store)(nil)
	_ persist.ContextAdapter = (*Store)(nil)
	_ persist.BatchAdapter   = (*Store)(nil)
	_ enforcer.ChangeLog     = (*Store)(nil)
	_ enforcer.Epochs        = (*Store)(nil)
	_ enforcer.CommitChecker = (*Store)(nil)
)

// Defaults of a Store.
const (
	DefaultTable   = "casbin_rule"
	DefaultTimeout = 5 * time.Second
	// DefaultLoadTimeout bounds a load of the whole rule table, which
	// grows with the policy (a million rules take seconds).
	DefaultLoadTimeout = time.Minute
	DefaultKeep        = 10_000
	DefaultKeepAge     = time.Hour
	pruneEvery         = 256
	maxValues          = 6   // v0..v5
	maxValueLen        = 100 // the columns' size
	changeIDBytes      = 16
	maxTableNameLen    = 50 // sqlstore.MigrateCasbinRule's limit; leaves room for suffixes
	notifyPayloadMax   = 7999
)

var (
	// ErrInvalid is wrapped for a table name or an option the Store cannot
	// use.
	ErrInvalid = warden.NewError(warden.ErrInvalid, "rulelog: invalid configuration")
	// ErrPending is wrapped (with enforcer.ErrOutcomeUnknown) by a write
	// refused because an earlier write's outcome is still unknown.
	ErrPending = warden.NewError(warden.ErrUnavailable, "rulelog: an earlier change's outcome is still unknown")
)

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Store is the rule table and its change log. It is safe for concurrent
// use by many goroutines and many processes.
type Store struct {
	db      *gorm.DB
	dialect string
	table   string
	q       quoted // quoted table names
	timeout time.Duration
	// loadTimeout bounds LoadPolicy, which reads every rule.
	loadTimeout time.Duration
	keep        uint64
	keepAge     time.Duration
	logger      *slog.Logger
	now         func() time.Time

	notifyChannel, instance string

	mu      sync.Mutex
	pending *session // a write whose outcome is not known yet
}

type quoted struct{ rules, log, head string }

// Option configures a Store; options report bad values from New.
type Option func(*Store) error

// WithTable sets the rule table (DefaultTable); the log and head tables are
// named after it.
func WithTable(name string) Option {
	return func(s *Store) error {
		if !identRe.MatchString(name) || len(name) > maxTableNameLen {
			return fmt.Errorf("%w: table name %q is not a plain identifier of at most %d characters", ErrInvalid, name, maxTableNameLen)
		}
		s.table = name
		return nil
	}
}

// WithTimeout bounds every database call but a load of the whole table
// (DefaultTimeout): a write's whole transaction, a read of the log or the
// head, a prune.
func WithTimeout(d time.Duration) Option {
	return func(s *Store) error {
		if d <= 0 {
			return fmt.Errorf("%w: timeout %s is not positive", ErrInvalid, d)
		}
		s.timeout = d
		return nil
	}
}

// WithLoadTimeout bounds a load of the whole rule table
// (DefaultLoadTimeout).
func WithLoadTimeout(d time.Duration) Option {
	return func(s *Store) error {
		if d <= 0 {
			return fmt.Errorf("%w: load timeout %s is not positive", ErrInvalid, d)
		}
		s.loadTimeout = d
		return nil
	}
}

// WithRetention keeps at least the last keep revisions of the log and at
// least the rows younger than age (DefaultKeep, DefaultKeepAge); a row is
// pruned only when it is older on both counts.
func WithRetention(keep uint64, age time.Duration) Option {
	return func(s *Store) error {
		if keep == 0 || age < 0 {
			return fmt.Errorf("%w: retention must keep at least one revision", ErrInvalid)
		}
		s.keep, s.keepAge = keep, age
		return nil
	}
}

// WithNotify makes every write on PostgreSQL announce its revision on
// channel inside its transaction (SELECT pg_notify), so that the
// announcement is delivered at commit and never for a rollback. The payload
// is watcher.EncodeHint(instance, revision); it carries no rules. On other
// databases it is refused: announce through a watcher after the commit.
func WithNotify(channel, instance string) Option {
	return func(s *Store) error {
		if channel == "" || len(channel) > 63 {
			return fmt.Errorf("%w: notify channel %q must be 1 to 63 characters", ErrInvalid, channel)
		}
		s.notifyChannel, s.instance = channel, instance
		return nil
	}
}

// WithLogger sets the logger for background events such as pruning
// (slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) error { s.logger = l; return nil }
}

// WithClock sets the clock that stamps log rows, for tests of retention.
func WithClock(now func() time.Time) Option {
	return func(s *Store) error { s.now = now; return nil }
}

// New returns a Store on db, creating the tables if they do not exist. It
// is safe to call from several processes at once on PostgreSQL and MySQL
// when the caller holds a setup lock (as warden serve does), and always on
// SQLite.
func New(ctx context.Context, db *gorm.DB, opts ...Option) (*Store, error) {
	s, err := Open(db, opts...)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Open returns a Store on db without touching the database: no table is
// created and nothing is migrated, so its reads fail on tables that do not
// exist. It is for readers such as warden list, which must not create or
// change what they read; use New to write.
func Open(db *gorm.DB, opts ...Option) (*Store, error) {
	s := &Store{db: db, dialect: db.Dialector.Name(), table: DefaultTable, timeout: DefaultTimeout, loadTimeout: DefaultLoadTimeout,
		keep: DefaultKeep, keepAge: DefaultKeepAge, logger: slog.Default(), now: time.Now}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	switch s.dialect {
	case "postgres", "mysql", "sqlite":
	default:
		return nil, fmt.Errorf("%w: database %q (want postgres, mysql or sqlite)", ErrInvalid, s.dialect)
	}
	if s.notifyChannel != "" && s.dialect != "postgres" {
		return nil, fmt.Errorf("%w: WithNotify needs PostgreSQL, not %s", ErrInvalid, s.dialect)
	}
	s.q = quoted{rules: s.quote(s.table), log: s.quote(s.table + "_log"), head: s.quote(s.table + "_head")}
	return s, nil
}

// Table returns the rule table's name.
func (s *Store) Table() string { return s.table }

func (s *Store) quote(name string) string {
	if s.dialect == "mysql" {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

// bounded returns ctx bounded by the store's timeout.
func (s *Store) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// migrate creates the rule table as gorm-adapter does (so that Casbin tools
// keep reading it) but with columns that compare exactly, or checks that an
// existing one does (sqlstore.MigrateCasbinRule); then the log and head
// tables.
func (s *Store) migrate(ctx context.Context) error {
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	db := s.db.WithContext(ctx)
	if err := sqlstore.MigrateCasbinRule(ctx, s.db, s.table); err != nil {
		return fmt.Errorf("rulelog: %w", err)
	}
	for _, stmt := range s.logDDL() {
		if err := db.Exec(stmt).Error; err != nil {
			return fmt.Errorf("rulelog: create the change log of %s: %w", s.table, err)
		}
	}
	// A head table of an earlier version has no epoch yet.
	if !db.Migrator().HasColumn(s.table+"_head", "epoch") {
		if err := db.Exec("ALTER TABLE " + s.q.head + " ADD COLUMN epoch VARCHAR(32) NOT NULL DEFAULT ''").Error; err != nil &&
			!db.Migrator().HasColumn(s.table+"_head", "epoch") { // another process added it meanwhile
			return fmt.Errorf("rulelog: add the epoch to the head of %s: %w", s.table, err)
		}
	}
	// The head row's first writer names its epoch; later ones keep it.
	if err := db.Exec("UPDATE "+s.q.head+" SET epoch = ? WHERE id = 1 AND epoch = ''", newChangeID()).Error; err != nil {
		return fmt.Errorf("rulelog: name the epoch of %s: %w", s.table, err)
	}
	return nil
}

func (s *Store) logDDL() []string {
	ix := s.quote("ix_" + s.table + "_log_change")
	switch s.dialect {
	case "mysql":
		return []string{
			fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (revision BIGINT UNSIGNED NOT NULL, seq INT NOT NULL, "+
				"op VARCHAR(8) NOT NULL, ptype VARCHAR(100) NOT NULL, vals TEXT NOT NULL, change_id CHAR(32) NOT NULL, "+
				"created_ms BIGINT NOT NULL, PRIMARY KEY (revision, seq), KEY %s (change_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
				s.q.log, ix),
			fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (id INT NOT NULL PRIMARY KEY, revision BIGINT UNSIGNED NOT NULL, "+
				"pruned BIGINT UNSIGNED NOT NULL, epoch VARCHAR(32) NOT NULL DEFAULT '') ENGINE=InnoDB", s.q.head),
			fmt.Sprintf("INSERT IGNORE INTO %s (id, revision, pruned) VALUES (1, 0, 0)", s.q.head),
		}
	default: // postgres, sqlite
		return []string{
			fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (revision BIGINT NOT NULL, seq INTEGER NOT NULL, "+
				"op VARCHAR(8) NOT NULL, ptype VARCHAR(100) NOT NULL, vals TEXT NOT NULL, change_id CHAR(32) NOT NULL, "+
				"created_ms BIGINT NOT NULL, PRIMARY KEY (revision, seq))", s.q.log),
			fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (change_id)", ix, s.q.log),
			fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (id INTEGER NOT NULL PRIMARY KEY, revision BIGINT NOT NULL, "+
				"pruned BIGINT NOT NULL, epoch VARCHAR(32) NOT NULL DEFAULT '')", s.q.head),
			fmt.Sprintf("INSERT INTO %s (id, revision, pruned) VALUES (1, 0, 0) ON CONFLICT DO NOTHING", s.q.head),
		}
	}
}
