package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden/config"
)

// newLogger returns serve's JSON logger at the configured level, and
// routes the MySQL driver's and go-redis's own logs through it, so that
// stderr carries one JSON stream and nothing in plain text. Both libraries
// keep a process-wide logger, which is also why this must run before any
// DSN is parsed: the MySQL driver copies its logger into each connection's
// configuration.
func newLogger(cfg config.Config, w interface{ Write([]byte) (int, error) }) *slog.Logger {
	level, err := config.ParseLogLevel(cfg.LogLevel)
	if err != nil { // Validate refused it already; stay safe anyway
		level = slog.LevelInfo
	}
	l := slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	routeDriverLogs(l)
	return l
}

// routeDriverLogs makes the MySQL driver and go-redis log through l, at
// WARN: what they report is a broken connection or a protocol surprise.
func routeDriverLogs(l *slog.Logger) {
	_ = mysql.SetLogger(mysqlLogger{l}) // fails only for a nil logger
	redis.SetLogger(redisLogger{l})
}

type mysqlLogger struct{ l *slog.Logger }

func (m mysqlLogger) Print(v ...any) {
	m.l.Warn("mysql driver", "message", strings.TrimSpace(fmt.Sprint(v...)))
}

type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, "redis client", "message", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
