package postsdemo

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Config is the demo apps' configuration.
type Config struct {
	Addr      string
	DB        string
	Table     string
	Issuer    string
	Audience  string
	JWTSecret string
	JWKSURL   string
}

// ParseFlags reads flags, each defaulting to its WARDEN_* environment
// variable (from getenv, os.Getenv when nil) and then to a built-in value.
func ParseFlags(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var c Config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", env("WARDEN_ADDR", "127.0.0.1:8080"), "listen address (WARDEN_ADDR)")
	fs.StringVar(&c.DB, "db", env("WARDEN_DB", "warden-posts.db"),
		"database: an SQLite file, postgres://user:pass@host/db or mysql://user:pass@host:port/db (WARDEN_DB)")
	fs.StringVar(&c.Table, "table", env("WARDEN_TABLE", "casbin_rule"), "policy table (WARDEN_TABLE)")
	fs.StringVar(&c.Issuer, "issuer", env("WARDEN_ISSUER", "https://warden.local"), "required token issuer (WARDEN_ISSUER)")
	fs.StringVar(&c.Audience, "audience", env("WARDEN_AUDIENCE", "posts-api"), "required token audience (WARDEN_AUDIENCE)")
	fs.StringVar(&c.JWTSecret, "jwt-secret", env("WARDEN_JWT_SECRET", ""), "HMAC secret, at least 32 bytes (WARDEN_JWT_SECRET)")
	fs.StringVar(&c.JWKSURL, "jwks-url", env("WARDEN_JWKS_URL", ""), "JWKS URL of the identity provider (WARDEN_JWKS_URL)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("%s: unexpected arguments %q", name, fs.Args())
	}
	if c.JWTSecret != "" && c.JWKSURL != "" {
		return Config{}, fmt.Errorf("%s: give --jwt-secret or --jwks-url, not both", name)
	}
	if strings.TrimSpace(c.Issuer) == "" || strings.TrimSpace(c.Audience) == "" {
		return Config{}, fmt.Errorf("%s: --issuer and --audience must not be empty", name)
	}
	return c, nil
}
