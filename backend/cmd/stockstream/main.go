// Command stockstream serves live stock prices over Server-Sent Events and
// the dashboard PWA, with a built-in price simulator or replayed price
// files (stockstream serve, the default); watches a server's prices in the
// terminal (stockstream watch); publishes price files to a server
// (stockstream publish); and mints subscriber tokens (stockstream token).
//
// It only parses and wires: each subcommand's configuration is read by
// package config, and the server is run by package server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/stockstream/stockstream/backend/cmdline"
	"github.com/stockstream/stockstream/backend/config"
	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/report"
	"github.com/stockstream/stockstream/backend/server"
	"github.com/stockstream/stockstream/backend/terminal"
	"github.com/stockstream/stockstream/frontend/ui"
	"github.com/stockstream/stockstream/shared/pricefile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, routes: ui.Routes}
	os.Exit(c.run(ctx, os.Args[1:]))
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command failed
	exitUsage = 2 // the command line is wrong
)

// cli is the program with its surroundings, so that tests run it in-process.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// routes registers the app's pages with what they are rendered from:
	// ui.Routes, called once, by the one server a process runs. go-app
	// keeps the pages in one table per process.
	routes func(ui.Source)
	// ready, if not nil, receives the server's address once it accepts
	// connections.
	ready chan<- net.Addr
}

// commands are the subcommands; serve is also the default.
var commands = map[string]func(*cli, context.Context, []string) int{
	"serve":   (*cli).serve,
	"watch":   (*cli).watch,
	"publish": (*cli).publish,
	"token":   (*cli).token,
}

// run picks the subcommand, runs it and returns the exit code: a first
// argument that is not a flag names the subcommand.
func (c *cli) run(ctx context.Context, args []string) int {
	name, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, rest = args[0], args[1:]
	}
	if name == "help" {
		fmt.Fprint(c.stderr, cmdline.Commands)
		return exitOK
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(c.stderr, "stockstream: unexpected argument %q: not a command, and flags start with --\n%s", name, cmdline.Commands)
		return exitUsage
	}
	return cmd(c, ctx, rest)
}

// usageError reports a bad command line and returns exitUsage; --help is
// not an error.
func (c *cli) usageError(cmd string, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(c.stderr, "stockstream %s: %v\nRun stockstream %s --help for the flags.\n", cmd, err, cmd)
	return exitUsage
}

// serve loads the files to replay, then runs the server until ctx ends or
// it fails, and shuts it down.
func (c *cli) serve(ctx context.Context, args []string) int {
	cfg, err := config.ParseServe(args, c.getenv, c.stderr)
	if err != nil {
		return c.usageError("serve", err)
	}
	log := newLogger(cfg, c.stderr)
	setGCPercent(c.getenv)
	redis.RouteClientLog(log)
	files, err := c.loadReplay(ctx, cfg.Replay, log)
	if err != nil {
		return c.usageError("serve", err)
	}
	defer closeAll(files)
	srv := server.New(cfg, files, log)
	c.routes(srv.Pages())
	if err := srv.Run(ctx); err != nil {
		log.Error("stockstream stopped", "err", err)
		return exitError
	}
	if c.ready != nil {
		c.ready <- srv.Addr()
	}
	select {
	case <-ctx.Done():
	case <-srv.Done():
	}
	if err := srv.Close(); err != nil {
		log.Error("stockstream stopped", "err", err)
		return exitError
	}
	return exitOK
}

// newLogger returns the server's logger: --log-level and --log-format.
func newLogger(c *config.Serve, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// loadReplay reads the files of serve --replay in full before the server
// starts, so that a file with a bad row is refused before anything is
// published: with a progress bar when stderr is a terminal, in the log
// otherwise.
func (c *cli) loadReplay(ctx context.Context, r config.Replay, log *slog.Logger) ([]*pricefile.File, error) {
	if len(r.Files) == 0 {
		return nil, nil
	}
	meter := report.New(c.stderr, terminal.Is(c.stderr), func(s string) { log.Info("replay: " + s) })
	files, err := feed.Load(ctx, feed.Files(r.Files, nil), r.Read, meter)
	if err != nil {
		return nil, fmt.Errorf("--replay: %w", err)
	}
	return files, nil
}

// closeAll removes the loaded files' temporary copies.
func closeAll(files []*pricefile.File) {
	for _, f := range files {
		f.Close()
	}
}
