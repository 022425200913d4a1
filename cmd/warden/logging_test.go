package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/config/dbtest"
	"github.com/wardenhq/warden/internal/tcpproxy"
)

// jsonLines parses every line of s as a JSON object, failing on plain text.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

func findMsg(lines []map[string]any, msg, sub string) map[string]any {
	for _, l := range lines {
		if l["msg"] == msg && strings.Contains(l["message"].(string), sub) {
			return l
		}
	}
	return nil
}

// go-redis reports a failed dial in the JSON stream, not in its own
// plain-text format on stderr.
func TestRedisLogsThroughSlog(t *testing.T) {
	var buf lockedBuf
	newLogger(config.Config{LogLevel: "info"}, &buf)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there any more: every dial is refused
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	if err := rdb.Ping(context.Background()).Err(); err == nil {
		t.Fatal("PING succeeded on a closed port")
	}
	l := findMsg(jsonLines(t, buf.String()), "redis client", "failed to dial")
	if l == nil || l["level"] != "WARN" {
		t.Fatalf("no WARN record of go-redis's failed dial in %s", buf.String())
	}
}

// The MySQL driver reports a connection the server dropped in the JSON
// stream, not as "[mysql] ..." plain text.
func TestMySQLLogsThroughSlog(t *testing.T) {
	raw := os.Getenv(dbtest.MySQLEnv)
	if raw == "" {
		t.Skipf("set %s='root:@tcp(127.0.0.1:3306)/test?parseTime=true' to run it", dbtest.MySQLEnv)
	}
	var buf lockedBuf
	newLogger(config.Config{LogLevel: "info"}, &buf) // before the DSN is parsed: the driver copies its logger
	cfg, err := mysql.ParseDSN(raw)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := tcpproxy.Start(cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	cfg.Addr = proxy.Addr()
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxIdleConns(1)
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	proxy.Cut() // the idle connection is closed under the driver
	if err := db.Ping(); err == nil {
		t.Fatal("PING succeeded with the server cut off")
	}
	l := findMsg(jsonLines(t, buf.String()), "mysql driver", "bad idle connection")
	if l == nil || l["level"] != "WARN" {
		t.Fatalf("no WARN record of the driver's bad connection in %s", buf.String())
	}
}
