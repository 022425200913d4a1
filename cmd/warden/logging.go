package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/middleware"
)

// newLogger returns serve's JSON logger at the configured level, and
// routes the MySQL driver's and go-redis's own logs through it, so that
// stderr carries one JSON stream and nothing in plain text.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	level, err := config.ParseLogLevel(cfg.LogLevel)
	if err != nil { // Validate refused it already; stay safe anyway
		level = slog.LevelInfo
	}
	// slog's JSON lines, whose decision records the middleware writes
	// directly (a third of their cost through slog).
	l := slog.New(middleware.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	driverLog.Store(l)
	return l
}

// driverLog is where the drivers' logs go: the latest newLogger, or
// slog.Default() before any.
var driverLog atomic.Pointer[slog.Logger]

// Both libraries keep a process-wide logger that is not safe to set while
// connections are opened, and the MySQL driver copies its logger into every
// configuration it parses; so they are set once, before main, to adapters
// that forward to driverLog.
func init() {
	_ = mysql.SetLogger(mysqlLogger{}) // fails only for a nil logger
	redis.SetLogger(redisLogger{})
}

func currentDriverLog() *slog.Logger {
	if l := driverLog.Load(); l != nil {
		return l
	}
	return slog.Default()
}

// mysqlLogger logs at WARN: what the driver reports is a broken connection
// or a protocol surprise.
type mysqlLogger struct{}

func (mysqlLogger) Print(v ...any) {
	currentDriverLog().Warn("mysql driver", "message", strings.TrimSpace(fmt.Sprint(v...)))
}

type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	currentDriverLog().WarnContext(ctx, "redis client", "message", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
