// Command stockstream serves live stock prices over Server-Sent Events and
// the dashboard PWA, with a built-in price simulator or replayed price
// files (stockstream serve, the default); watches a server's prices in the
// terminal (stockstream watch); publishes price files to a server
// (stockstream publish); and mints subscriber tokens (stockstream token).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/delay"
	"github.com/stockstream/stockstream/backend/feed"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/metrics"
)

// shutdownGrace bounds a clean shutdown: SIGTERM exits within 10 s.
const shutdownGrace = 8 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil))
}

// run is the whole program on the process's standard streams; it returns
// the exit code. ready, if not nil, receives the listening address once
// the server accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready chan<- net.Addr) int {
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: stderr, getenv: getenv, ready: ready}
	return c.run(ctx, args)
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
	ready          chan<- net.Addr
}

// commands are the subcommands; serve is also the default.
var commands = map[string]func(*cli, context.Context, []string) int{
	"serve":   (*cli).serve,
	"watch":   (*cli).watch,
	"publish": (*cli).publish,
	"token":   (*cli).token,
}

// commandList is the summary of the subcommands every usage text shows.
const commandList = `Commands:
  stockstream [serve] [flags]                     serve the stream and the dashboard (the default)
  stockstream watch [flags] [URL]                 live prices of a server in the terminal, or NDJSON
  stockstream publish --to URL --token T [FILE|-] publish a price file through a server's API
  stockstream token --symbols A,B [--ttl 1h]      print a subscriber token signed with --subscribe-key
Run stockstream COMMAND --help for the flags of each.
`

// run picks the subcommand: a first argument that is not a flag names it.
func (c *cli) run(ctx context.Context, args []string) int {
	name, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, rest = args[0], args[1:]
	}
	if name == "help" {
		fmt.Fprint(c.stderr, commandList)
		return exitOK
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(c.stderr, "stockstream: unexpected argument %q: not a command, and flags start with --\n%s", name, commandList)
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

// serve runs the server.
func (c *cli) serve(ctx context.Context, args []string) int {
	cfg, err := parseConfig(args, c.getenv, c.stderr)
	if err != nil {
		return c.usageError("serve", err)
	}
	log := newLogger(cfg, c.stderr)
	if err := loadReplay(ctx, &cfg.replay, c.stderr, log); err != nil {
		return c.usageError("serve", err)
	}
	defer cfg.replay.close()
	if err := serve(ctx, cfg, log, c.ready); err != nil {
		log.Error("stockstream stopped", "err", err)
		return exitError
	}
	return exitOK
}

func newLogger(c *config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.logLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve wires broker, simulator and HTTP server and runs them until ctx
// ends, then shuts down within shutdownGrace.
func serve(ctx context.Context, c *config, log *slog.Logger, ready chan<- net.Addr) error {
	m := metrics.New()
	b, runExclusive, err := openBroker(ctx, c, m, log)
	if err != nil {
		return err
	}
	defer b.Close()
	broker := m.Counting(b)
	delayed, err := startDelayedTier(ctx, c, broker, m, log)
	if err != nil {
		return err
	}
	if delayed != nil {
		defer delayed.Close()
	}
	pages := backend.Reader(broker)
	if delayed != nil {
		pages = delayed // a page is served to anyone: it shows what they read
	}

	srv := stockhttp.New(stockhttp.Config{
		Broker: broker, Delayed: readerOrNil(delayed), Metrics: m, Logger: log,
		App:       appHandler(log, pages, c.readers.pagesShowPrices()),
		Heartbeat: c.heartbeat, Retry: c.retry,
		PublishToken: c.publishToken, CORSOrigins: c.corsOrigins,
		MaxStreams: c.maxConns, MaxStreamsPerIP: c.maxConnsIP, MaxFuture: c.maxFuture,
		Access: c.readers.policy(), TrustedProxies: c.readers.trustedProxies,
	})
	l, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	if ready != nil {
		ready <- l.Addr()
	}

	simCtx, stopSim := context.WithCancel(ctx)
	defer stopSim()
	if c.simulator {
		seed := c.seed
		if seed == 0 {
			seed = rand.Uint64()
		}
		sim := feed.NewSimulator(broker, c.symbols, c.interval, seed, log)
		go runExclusive(simCtx, "simulator", sim.Run)
		log.Info("simulator: enabled", "symbols", c.symbols, "interval", c.interval)
	}
	if len(c.replay.files) > 0 {
		go runReplay(simCtx, c.replay, broker, runExclusive, log)
		log.Info("replay: enabled", "files", c.replay.files, "speed", c.replay.speed, "loop", c.replay.loop)
	}

	errc := make(chan error, 1)
	go func() { errc <- listen(srv, l, c) }()
	log.Info("stockstream: listening", "addr", l.Addr().String(), "tls", c.tlsCert != "",
		"stream", "/stocks", "publish", c.publishToken != "", "readers", c.readers.describe())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("stockstream: shutting down, ending open streams")
	stopSim()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stockstream: stopped cleanly")
	return nil
}

// startDelayedTier starts the delayed tier when callers without a token
// read delayed data; nil otherwise.
func startDelayedTier(ctx context.Context, c *config, b backend.Broker, m *metrics.Metrics, log *slog.Logger) (*delay.View, error) {
	if len(c.readers.key) == 0 || c.readers.anonymous != access.DelayedMode {
		return nil, nil
	}
	v, err := delay.Start(ctx, b, delay.Options{Delay: c.readers.anonymousDelay, History: c.history, MaxReplay: c.maxReplay, Queue: c.queue, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("delayed tier: %w", err)
	}
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "stockstream_delayed_window_events", Help: "Events held for the delayed tier: accepted, not yet released.",
	}, func() float64 { return float64(v.Window()) }))
	log.Info("delayed tier: enabled", "delay", c.readers.anonymousDelay)
	return v, nil
}

// readerOrNil is v as a backend.Reader, or nil (not a nil *View) if v is.
func readerOrNil(v *delay.View) backend.Reader {
	if v == nil {
		return nil
	}
	return v
}

// listen serves plain HTTP, or HTTPS with HTTP/2 when a certificate is set.
func listen(srv *stockhttp.Server, l net.Listener, c *config) error {
	var err error
	if c.tlsCert != "" {
		err = srv.ServeTLS(l, c.tlsCert, c.tlsKey)
	} else {
		err = srv.Serve(l)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
