package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/labstack/echo/v4"

	"github.com/wardenhq/warden/examples/internal/postsdemo"
	"github.com/wardenhq/warden/middleware/echoware"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := postsdemo.Run(ctx, "echo-posts", os.Args[1:], os.Stdout, os.Stderr, routes); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "echo-posts:", err)
		os.Exit(1)
	}
}

// routes wires the API. Strict mode refuses any route that lacks a check,
// and the audit refuses to start when one was registered without.
func routes(app *postsdemo.App) (http.Handler, error) {
	a := app.Auth
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	audit := echoware.NewAudit(e)
	global := []echo.MiddlewareFunc{echoware.Strict(a)}
	e.Use(global...)

	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	}, echoware.Public())
	e.GET("/posts", func(c echo.Context) error {
		return c.JSON(http.StatusOK, app.Posts.List())
	}, echoware.Require(a, "read:posts"))
	e.POST("/posts", func(c echo.Context) error {
		title, err := postsdemo.DecodeNew(c.Request().Body)
		if err != nil {
			return c.JSON(http.StatusBadRequest, map[string]string{"error": err.Error()})
		}
		u, _ := echoware.UserFrom(c)
		return c.JSON(http.StatusCreated, app.Posts.Add(u.ID(), title))
	}, echoware.Require(a, "write:posts"))
	e.DELETE("/posts/:id", func(c echo.Context) error {
		if !app.Posts.Delete(c.Param("id")) {
			return c.JSON(http.StatusNotFound, map[string]string{"error": "no such post"})
		}
		return c.NoContent(http.StatusNoContent)
	}, echoware.Require(a, "delete:posts"))
	e.GET("/me", func(c echo.Context) error {
		u, _ := echoware.UserFrom(c)
		me, err := postsdemo.MeOf(c.Request().Context(), u)
		if err != nil {
			// The Auth's error handler: 403 for a malformed claim in the
			// caller's token, 503 for a provider that is down.
			a.Fail(c.Response(), c.Request(), err)
			return nil
		}
		return c.JSON(http.StatusOK, me)
	}, echoware.Authenticate(a), echoware.RequireAuthenticated())

	if unchecked := audit.Unchecked(global...); len(unchecked) > 0 {
		return nil, fmt.Errorf("routes without an authorization check: %v", describe(unchecked))
	}
	return e, nil
}

func describe(rs []echo.Route) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Method + " " + r.Path
	}
	return out
}

// run is main for tests: it returns instead of exiting.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return postsdemo.Run(ctx, "echo-posts", args, stdout, stderr, routes)
}
