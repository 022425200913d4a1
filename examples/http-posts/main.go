package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/wardenhq/warden/examples/internal/postsdemo"
	"github.com/wardenhq/warden/middleware"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "http-posts:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return postsdemo.Run(ctx, "http-posts", args, stdout, stderr, routes)
}

// routes wires the API; Strict wraps the whole mux so that a route added
// without a check answers 403 instead of serving.
func routes(app *postsdemo.App) (http.Handler, error) {
	a := app.Auth
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", middleware.Public(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})))
	mux.Handle("GET /posts", a.Require("read:posts")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, offset, err := postsdemo.ParsePage(r.URL.Query())
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		u, _ := middleware.UserFrom(r.Context())
		posts, err := app.VisiblePosts(r.Context(), u, limit, offset)
		if err != nil {
			a.Fail(w, r, err) // 503: never an unfiltered list
			return
		}
		writeJSON(w, http.StatusOK, posts)
	})))
	mux.Handle("POST /posts", a.Require("write:posts")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := postsdemo.DecodeNew(r.Body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		u, _ := middleware.UserFrom(r.Context())
		post, err := app.Posts.Add(r.Context(), u.ID(), n)
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the post could not be stored"})
			return
		}
		writeJSON(w, http.StatusCreated, post)
	})))
	mux.Handle("DELETE /posts/{id}", a.Require("delete:posts")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := app.Posts.Delete(r.Context(), r.PathValue("id"))
		switch {
		case err != nil:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the post could not be deleted"})
		case !ok:
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such post"})
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})))
	mux.Handle("GET /me", a.Authenticate(a.RequireAuthenticated()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.UserFrom(r.Context())
		me, err := postsdemo.MeOf(r.Context(), u)
		if err != nil {
			// The Auth's error handler: 403 for a malformed claim in the
			// caller's token, 503 for a provider that is down.
			a.Fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, me)
	}))))
	return a.Strict(mux), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
