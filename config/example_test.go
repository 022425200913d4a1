package config_test

import (
	"flag"
	"fmt"

	"github.com/wardenhq/warden/config"
)

// A flag beats its WARDEN_* variable, which beats the YAML file and the
// defaults.
func ExampleLoader() {
	fs := flag.NewFlagSet("warden serve", flag.ContinueOnError)
	l := config.NewLoader(fs)
	_ = fs.Parse([]string{"--addr", "0.0.0.0:9000", "--groups-provider", "claims,sql"})
	env := map[string]string{
		"WARDEN_ADDR":       "127.0.0.1:1",
		"WARDEN_DB":         "postgres://warden@db/warden",
		"WARDEN_JWT_SECRET": "0123456789abcdef0123456789abcdef",
	}
	c, err := l.Load(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Addr, c.DB, c.Groups.Sources, c.Permissions.Sources)
	// Output: 0.0.0.0:9000 postgres://warden@db/warden [claims sql] [claims]
}
