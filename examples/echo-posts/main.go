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
		limit, offset, err := postsdemo.ParsePage(c.QueryParams())
		if err != nil {
			return c.JSON(http.StatusBadRequest, map[string]string{"error": err.Error()})
		}
		u, _ := echoware.UserFrom(c)
		posts, err := app.VisiblePosts(c.Request().Context(), u, limit, offset)
		if err != nil {
			a.Fail(c.Response(), c.Request(), err) // 503: never an unfiltered list
			return nil
		}
		return c.JSON(http.StatusOK, posts)
	}, echoware.Require(a, "read:posts"))
	e.POST("/posts", func(c echo.Context) error {
		n, err := postsdemo.DecodeNew(c.Request().Body)
		if err != nil {
			return c.JSON(http.StatusBadRequest, map[string]string{"error": err.Error()})
		}
		u, _ := echoware.UserFrom(c)
		post, err := app.Posts.Add(c.Request().Context(), u.ID(), n)
		if err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"error": "the post could not be stored"})
		}
		return c.JSON(http.StatusCreated, post)
	}, echoware.Require(a, "write:posts"))
	e.DELETE("/posts/:id", func(c echo.Context) error {
		ok, err := app.Posts.Delete(c.Request().Context(), c.Param("id"))
		switch {
		case err != nil:
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"error": "the post could not be deleted"})
		case !ok:
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
	}, echoware.Authenticate(a), echoware.RequireAuthenticated(a))

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
