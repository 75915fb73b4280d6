// Package server runs stockstream's server from its configuration: it
// opens the broker, runs the simulator and a replay on one instance of a
// deployment at a time (under leases on a shared broker), serves the
// stream, the API and the dashboard over HTTP or HTTPS, and shuts down
// within a grace period, ending every stream cleanly.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/config"
	"github.com/stockstream/stockstream/backend/delay"
	"github.com/stockstream/stockstream/backend/feed"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/metrics"
	"github.com/stockstream/stockstream/backend/pwa"
	"github.com/stockstream/stockstream/shared/pricefile"
)

// ShutdownGrace bounds a clean shutdown, so that SIGTERM exits within
// 10 s.
const ShutdownGrace = 8 * time.Second

// Server is a running stockstream server: New, then Run, then Close.
type Server struct {
	cfg    *config.Serve
	replay []*pricefile.File
	log    *slog.Logger

	broker      backend.Broker // counting what is published
	pages       backend.Reader // what pages show: the broker, or the delayed tier
	delayed     *delay.View    // nil without the delayed tier
	closeBroker func() error
	http        *stockhttp.Server
	ln          net.Listener
	stopFeeds   context.CancelFunc

	done     chan struct{} // closed when serving ends by itself
	serveErr error         // why, once done is closed
	closing  sync.Once
	closeErr error
}

// New returns the server of cfg, which publishes the replay's files, as
// loaded by feed.Load, when cfg.Replay names some. It logs to log. Nothing
// runs before Run.
func New(cfg *config.Serve, replay []*pricefile.File, log *slog.Logger) *Server {
	return &Server{cfg: cfg, replay: replay, log: log, done: make(chan struct{})}
}

// Run opens the broker (waiting up to 30 s for a Redis that is not up
// yet, or until ctx ends), listens on the configured address, and starts
// serving, the simulator and the replay. It returns once the server
// accepts connections, or the error that kept it from starting; only ctx's
// values outlive Run. A server that started runs until Close.
func (s *Server) Run(ctx context.Context) error {
	m := metrics.New()
	b, exclusive, err := openBroker(ctx, s.cfg, m, s.log)
	if err != nil {
		return err
	}
	s.closeBroker = b.Close
	s.broker = m.Counting(b)
	s.pages = s.broker
	var delayed backend.Reader
	if s.cfg.Readers.Delayed() {
		if s.delayed, err = s.startDelayedTier(ctx, m); err != nil {
			b.Close()
			return err
		}
		s.pages, delayed = s.delayed, s.delayed
	}
	s.http = stockhttp.New(stockhttp.Config{
		Broker: s.broker, Delayed: delayed, Metrics: m, Logger: s.log, App: s.app(),
		Heartbeat: s.cfg.Heartbeat, Retry: s.cfg.Retry,
		PublishToken: s.cfg.PublishToken, CORSOrigins: s.cfg.CORSOrigins,
		MaxStreams: s.cfg.MaxConns, MaxStreamsPerIP: s.cfg.MaxConnsPerIP, MaxFuture: s.cfg.MaxFuture,
		Access: s.cfg.Readers.Policy(), TrustedProxies: s.cfg.Readers.TrustedProxies,
	})
	if s.ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
		s.closeDelayed()
		b.Close()
		return fmt.Errorf("--addr: %w", err)
	}
	feeds, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopFeeds = stop
	s.startFeeds(feeds, exclusive)
	go s.serve()
	s.log.Info("stockstream: listening", "addr", s.ln.Addr().String(), "tls", s.cfg.TLSCert != "",
		"stream", "/stocks", "publish", s.cfg.PublishToken != "", "readers", s.cfg.Readers.Describe())
	return nil
}

// Addr returns the address the server listens on, once Run has returned
// without an error.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Done is closed when the server stops serving by itself (its listener
// failed); Close then returns why.
func (s *Server) Done() <-chan struct{} { return s.done }

// Close stops the server, once Run has returned without an error: it
// stops accepting, stops the simulator and the replay, ends every stream
// with its last frame whole within ShutdownGrace, and closes the broker,
// which gives up the leases it holds. It returns why serving ended if it
// ended by itself.
func (s *Server) Close() error {
	s.closing.Do(func() { s.closeErr = s.shutdown() })
	return s.closeErr
}

func (s *Server) shutdown() error {
	defer s.closeBroker()
	defer s.closeDelayed()
	defer s.stopFeeds()
	select {
	case <-s.done:
		return s.serveErr
	default:
	}
	s.log.Info("stockstream: shutting down, ending open streams")
	s.stopFeeds()
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	if err := s.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	s.log.Info("stockstream: stopped cleanly")
	return nil
}

// startDelayedTier starts the delayed tier that callers without a token
// read, with a gauge of the events it holds.
func (s *Server) startDelayedTier(ctx context.Context, m *metrics.Metrics) (*delay.View, error) {
	v, err := delay.Start(ctx, s.broker, delay.Options{Delay: s.cfg.Readers.AnonymousDelay,
		History: s.cfg.History, MaxReplay: s.cfg.MaxReplay, Queue: s.cfg.Queue, Logger: s.log})
	if err != nil {
		return nil, fmt.Errorf("delayed tier: %w", err)
	}
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "stockstream_delayed_window_events", Help: "Events held for the delayed tier: accepted, not yet released.",
	}, func() float64 { return float64(v.Window()) }))
	s.log.Info("delayed tier: enabled", "delay", s.cfg.Readers.AnonymousDelay)
	return v, nil
}

// closeDelayed stops the delayed tier, if there is one.
func (s *Server) closeDelayed() {
	if s.delayed != nil {
		s.delayed.Close()
	}
}

// serve serves plain HTTP, or HTTPS with HTTP/2 when a certificate is
// set, until Shutdown; an error before that closes done.
func (s *Server) serve() {
	var err error
	if s.cfg.TLSCert != "" {
		err = s.http.ServeTLS(s.ln, s.cfg.TLSCert, s.cfg.TLSKey)
	} else {
		err = s.http.Serve(s.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return
	}
	s.serveErr = err
	close(s.done)
}

// startFeeds starts the simulator and the replay, each on one instance of
// the deployment at a time, until ctx ends.
func (s *Server) startFeeds(ctx context.Context, exclusive exclusive) {
	c := s.cfg
	if c.Simulator {
		seed := c.Seed
		if seed == 0 {
			seed = rand.Uint64()
		}
		sim := feed.NewSimulator(s.broker, c.Symbols, c.Interval, seed, s.log)
		go exclusive(ctx, "simulator", sim.Run)
		s.log.Info("simulator: enabled", "symbols", c.Symbols, "interval", c.Interval)
	}
	if len(c.Replay.Files) > 0 {
		r := &feed.Replay{Files: s.replay, Speed: c.Replay.Speed, Loop: c.Replay.Loop, Now: true, Log: s.log}
		hold := func(ctx context.Context, run func(context.Context)) { exclusive(ctx, "replay", run) }
		go r.RunWhileHeld(ctx, s.broker, hold)
		s.log.Info("replay: enabled", "files", c.Replay.Files, "speed", c.Replay.Speed, "loop", c.Replay.Loop)
	}
}

// app returns the PWA handler served for every non-API path, built from
// the assets embedded in the binary. Without a frontend build it still
// serves a page that says how to build one, and the log says so too.
func (s *Server) app() http.Handler {
	if err := pwa.Built(); err != nil {
		s.log.Warn("dashboard not built: run make build", "err", err)
	}
	return pwa.Handler()
}
