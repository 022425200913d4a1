package config_test

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/config"
)

const secret = "0123456789abcdef0123456789abcdef"

func load(t *testing.T, args []string, env map[string]string) (config.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	l := config.NewLoader(fs)
	if err := fs.Parse(args); err != nil {
		return config.Config{}, err
	}
	return l.Load(func(k string) string { return env[k] })
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "warden.yaml", `
addr: 127.0.0.1:1000
db: sqlite://from-file.db
jwt_secret: `+secret+`
admin: [root, ops]
groups:
  provider: [claims, sql]
  cache_ttl: 30s
  retries: 2
permissions:
  provider: [claims, sql]
  combine: intersection
  claim: perms
`)
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c config.Config)
	}{
		{"defaults", []string{"--jwt-secret", secret}, nil, func(t *testing.T, c config.Config) {
			d := config.Defaults()
			if c.Addr != d.Addr || c.DB != d.DB || c.Model != "conf/model.conf" || !slices.Equal(c.Groups.Sources, []string{"claims"}) {
				t.Errorf("got %+v", c)
			}
		}},
		{"file", []string{"--config", file}, nil, func(t *testing.T, c config.Config) {
			if c.Addr != "127.0.0.1:1000" || c.DB != "sqlite://from-file.db" || !slices.Equal(c.Admins, []string{"root", "ops"}) ||
				!slices.Equal(c.Groups.Sources, []string{"claims", "sql"}) || c.Permissions.Combine != "intersection" ||
				c.Groups.CacheTTL != 30*time.Second || c.Groups.Retries != 2 || c.Permissions.Claim != "perms" {
				t.Errorf("got %+v", c)
			}
		}},
		{"file named by the environment", nil, map[string]string{"WARDEN_CONFIG": file}, func(t *testing.T, c config.Config) {
			if c.Addr != "127.0.0.1:1000" {
				t.Errorf("addr = %s", c.Addr)
			}
		}},
		{"environment beats file", []string{"--config", file}, map[string]string{
			"WARDEN_ADDR": "127.0.0.1:2000", "WARDEN_ADMIN": "alice, bob", "WARDEN_GROUPS_CACHE_TTL": "1m",
		}, func(t *testing.T, c config.Config) {
			if c.Addr != "127.0.0.1:2000" || !slices.Equal(c.Admins, []string{"alice", "bob"}) || c.Groups.CacheTTL != time.Minute ||
				c.DB != "sqlite://from-file.db" {
				t.Errorf("got %+v", c)
			}
		}},
		{"flags beat environment", []string{"--config", file, "--addr", "127.0.0.1:3000", "--admin", "carol", "--admin", "dave,erin", "--groups-provider", "file", "--groups-file", "g.json"},
			map[string]string{"WARDEN_ADDR": "127.0.0.1:2000", "WARDEN_ADMIN": "alice"},
			func(t *testing.T, c config.Config) {
				if c.Addr != "127.0.0.1:3000" || !slices.Equal(c.Admins, []string{"carol", "dave", "erin"}) ||
					!slices.Equal(c.Groups.Sources, []string{"file"}) || c.Groups.File != "g.json" {
					t.Errorf("got %+v", c)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestErrorsNameTheirSource(t *testing.T) {
	bad := writeFile(t, "bad.yaml", "addr: x\ngroups:\n  timeout: soon\n  colour: blue\nnope: 1\n")
	nested := writeFile(t, "nested.yaml", "addr:\n  host: x\n")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"file value", []string{"--config", bad, "--jwt-secret", secret}, nil, []string{bad + ":3: groups_timeout", `"soon" is not a duration`}},
		{"file unknown nested key", []string{"--config", bad, "--jwt-secret", secret}, nil, []string{bad + ":4: groups_colour: unknown setting"}},
		{"file unknown key", []string{"--config", bad, "--jwt-secret", secret}, nil, []string{bad + ":5: nope: unknown setting"}},
		{"file structure", []string{"--config", nested, "--jwt-secret", secret}, nil, []string{nested + ":1: addr: want a plain value"}},
		{"missing file", []string{"--config", "/nonexistent/warden.yaml"}, nil, []string{"/nonexistent/warden.yaml"}},
		{"environment", []string{"--jwt-secret", secret}, map[string]string{"WARDEN_PERMISSIONS_RETRIES": "many"}, []string{"WARDEN_PERMISSIONS_RETRIES", `"many" is not an integer`}},
		{"flag", []string{"--jwt-secret", secret, "--groups-breaker-open", "later"}, nil, []string{"--groups-breaker-open"}},
		{"no key", nil, nil, []string{"no key to verify tokens"}},
		{"two keys", []string{"--jwt-secret", secret, "--jwks-url", "https://idp/jwks"}, nil, []string{"not both"}},
		{"short secret", []string{"--jwt-secret", "short"}, nil, []string{"at least 32"}},
		{"unknown source", []string{"--jwt-secret", secret, "--groups-provider", "ldap"}, nil, []string{`groups-provider: unknown source "ldap"`}},
		{"file source without file", []string{"--jwt-secret", secret, "--permissions-provider", "file"}, nil, []string{"permissions-file: required"}},
		{"bad combine", []string{"--jwt-secret", secret, "--groups-combine", "xor"}, nil, []string{"groups-combine"}},
		{"bad prefix", []string{"--jwt-secret", secret, "--table-prefix", "a;b"}, nil, []string{"table-prefix"}},
		{"negative", []string{"--jwt-secret", secret, "--groups-retries", "-1"}, nil, []string{"negative"}},
		{"negative reload", []string{"--jwt-secret", secret, "--reload-interval", "-1s"}, nil, []string{"reload-interval"}},
		{"zero sync interval", []string{"--jwt-secret", secret, "--sync-interval", "0s"}, nil, []string{"sync-interval must be positive"}},
		{"bad log level", []string{"--jwt-secret", secret, "--log-level", "loud"}, nil, []string{`log-level: "loud" is not debug`}},
		{"offset log level", []string{"--jwt-secret", secret, "--log-level", "info+2"}, nil, []string{"log-level"}},
		{"negative decision sampling", []string{"--jwt-secret", secret, "--decision-log-every", "-1"}, nil, []string{"decision-log-every"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.args, tt.env)
			if !errors.Is(err, config.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	if got := config.EnvName("groups-cache-ttl"); got != "WARDEN_GROUPS_CACHE_TTL" {
		t.Errorf("EnvName = %s", got)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestUsageNamesEnvAndDefault(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	config.NewLoader(fs)
	for name, want := range map[string]string{
		"addr":            "(WARDEN_ADDR; default 127.0.0.1:8181)",
		"groups-provider": "(WARDEN_GROUPS_PROVIDER; default claims)",
		"jwt-secret":      "(WARDEN_JWT_SECRET)",
	} {
		f := fs.Lookup(name)
		if f == nil || !strings.HasSuffix(f.Usage, want) {
			t.Errorf("--%s usage = %v, want suffix %q", name, f, want)
		}
	}
}

// The poll of the change log is on by default; --reload-interval, its
// former name, still shortens it but cannot turn it off.
func TestSyncInterval(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want time.Duration
	}{
		{"default", nil, 2 * time.Second},
		{"sync-interval", []string{"--sync-interval", "500ms"}, 500 * time.Millisecond},
		{"shorter reload-interval", []string{"--reload-interval", "1s"}, time.Second},
		{"longer reload-interval", []string{"--reload-interval", "1m"}, 2 * time.Second},
		{"reload-interval 0", []string{"--reload-interval", "0s"}, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, append([]string{"--jwt-secret", secret}, tt.args...), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.EffectiveSyncInterval(); got != tt.want {
				t.Fatalf("EffectiveSyncInterval = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestLogSettings(t *testing.T) {
	c, err := load(t, []string{"--jwt-secret", secret}, map[string]string{"WARDEN_LOG_LEVEL": "WARN", "WARDEN_DECISION_LOG_EVERY": "100"})
	if err != nil {
		t.Fatal(err)
	}
	lvl, err := config.ParseLogLevel(c.LogLevel)
	if err != nil || lvl != slog.LevelWarn || c.DecisionLogEvery != 100 {
		t.Fatalf("level %v (%v), every %d; want WARN and 100", lvl, err, c.DecisionLogEvery)
	}
	if d := config.Defaults(); d.LogLevel != "info" || d.DecisionLogEvery != 1 {
		t.Fatalf("defaults: level %q, every %d; want info and 1", d.LogLevel, d.DecisionLogEvery)
	}
}
