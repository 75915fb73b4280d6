// Command stockstream serves live stock prices over Server-Sent Events and
// the dashboard PWA, with a built-in price simulator.
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
	"syscall"
	"time"

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

// run is the whole program; it returns the exit code. ready, if not nil,
// receives the listening address once the server accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer, ready chan<- net.Addr) int {
	c, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "stockstream: %v\nRun stockstream --help for the flags.\n", err)
		return 2
	}
	log := newLogger(c, stderr)
	if err := serve(ctx, c, log, ready); err != nil {
		log.Error("stockstream stopped", "err", err)
		return 1
	}
	return 0
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
	b, runExclusive, err := openBroker(ctx, c, log)
	if err != nil {
		return err
	}
	defer b.Close()
	broker := m.Counting(b)

	srv := stockhttp.New(stockhttp.Config{
		Broker: broker, Metrics: m, Logger: log, App: appHandler(log, broker),
		Heartbeat: c.heartbeat, Retry: c.retry,
		PublishToken: c.publishToken, CORSOrigins: c.corsOrigins,
		MaxStreams: c.maxConns, MaxStreamsPerIP: c.maxConnsIP,
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
		go runExclusive(simCtx, sim.Run)
		log.Info("simulator: enabled", "symbols", c.symbols, "interval", c.interval)
	}

	errc := make(chan error, 1)
	go func() { errc <- listen(srv, l, c) }()
	log.Info("stockstream: listening", "addr", l.Addr().String(), "tls", c.tlsCert != "",
		"stream", "/stocks", "publish", c.publishToken != "")

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
