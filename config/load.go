package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// ConfigEnv names the YAML file when --config is not given.
const ConfigEnv = "WARDEN_CONFIG"

// Loader reads a Config from flags, the environment and a YAML file.
type Loader struct {
	fs       *flag.FlagSet
	settings []setting
	flags    map[string][]string
	path     string
}

// NewLoader registers Warden's flags on fs (each usage names its
// environment variable) and --config FILE. Parse fs, then call Load.
func NewLoader(fs *flag.FlagSet) *Loader {
	l := &Loader{fs: fs, settings: settings(), flags: map[string][]string{}}
	fs.StringVar(&l.path, "config", "", "YAML configuration `file` ("+ConfigEnv+")")
	defaults := defaultTexts(Defaults())
	for _, s := range l.settings {
		name := s.name
		usage := s.usage + " (" + EnvName(name)
		if d := defaults[name]; d != "" {
			usage += "; default " + d
		}
		fs.Func(name, usage+")", func(v string) error {
			l.flags[name] = append(l.flags[name], v)
			return nil
		})
	}
	return l
}

// Load returns the configuration: built-in defaults, overridden by the YAML
// file (--config or WARDEN_CONFIG), overridden by WARDEN_* variables from
// getenv (os.Getenv when nil), overridden by flags given on the command
// line. Errors name the flag, variable or FILE:LINE at fault.
func (l *Loader) Load(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Defaults()
	path := l.path
	if path == "" {
		path = getenv(ConfigEnv)
	}
	if path != "" {
		if err := l.loadFile(&c, path); err != nil {
			return Config{}, err
		}
	}
	var errs []error
	for _, s := range l.settings {
		if v := getenv(EnvName(s.name)); v != "" {
			errs = append(errs, s.apply(&c, EnvName(s.name), []string{v}))
		}
	}
	for _, s := range l.settings {
		if v, ok := l.flags[s.name]; ok {
			errs = append(errs, s.apply(&c, "--"+s.name, v))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// loadFile applies a YAML file. Keys are the flag names with _ for -, and
// the groups-/permissions- settings nest under groups: and permissions:.
func (l *Loader) loadFile(c *Config, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil // an empty file sets nothing
		}
		return fmt.Errorf("%w: %s: %v", ErrInvalid, path, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	byName := map[string]setting{}
	for _, s := range l.settings {
		byName[s.name] = s
	}
	var errs []error
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		if n.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Errorf("%w: %s:%d: %s: want a mapping of settings", ErrInvalid, path, n.Line, strings.TrimSuffix(prefix, "-")))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			name := prefix + strings.ReplaceAll(k.Value, "_", "-")
			where := fmt.Sprintf("%s:%d: %s", path, k.Line, strings.ReplaceAll(name, "-", "_"))
			if prefix == "" && (name == "groups" || name == "permissions") {
				walk(v, name+"-")
				continue
			}
			s, ok := byName[name]
			if !ok {
				errs = append(errs, fmt.Errorf("%w: %s: unknown setting", ErrInvalid, where))
				continue
			}
			var vals []string
			switch {
			case v.Kind == yaml.ScalarNode:
				vals = []string{v.Value}
			case v.Kind == yaml.SequenceNode && s.list:
				for _, item := range v.Content {
					if item.Kind != yaml.ScalarNode {
						errs = append(errs, fmt.Errorf("%w: %s: list items must be plain values", ErrInvalid, where))
						continue
					}
					vals = append(vals, item.Value)
				}
			default:
				errs = append(errs, fmt.Errorf("%w: %s: want a plain value", ErrInvalid, where))
				continue
			}
			if err := s.apply(c, where, vals); err != nil {
				errs = append(errs, err)
			}
		}
	}
	walk(doc.Content[0], "")
	return errors.Join(errs...)
}

// defaultTexts returns the defaults shown in flag usage.
func defaultTexts(d Config) map[string]string {
	return map[string]string{
		"addr": d.Addr, "db": d.DB, "model": d.Model, "seed": d.Seed, "channel": d.Channel,
		"issuer": d.Issuer, "audience": d.Audience, "ready-timeout": d.ReadyTimeout.String(),
		"sync-interval": d.SyncInterval.String(), "log-level": d.LogLevel, "decision-log-every": strconv.Itoa(d.DecisionLogEvery),
		"groups-provider": strings.Join(d.Groups.Sources, ","), "permissions-provider": strings.Join(d.Permissions.Sources, ","),
		"groups-combine": d.Groups.Combine, "permissions-combine": d.Permissions.Combine,
		"groups-timeout": DefaultRemoteTimeout.String() + " except claims", "permissions-timeout": DefaultRemoteTimeout.String() + " except claims",
	}
}
