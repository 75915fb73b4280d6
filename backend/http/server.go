// Package http serves the stockstream HTTP interface on httprouter: the SSE
// stream, the JSON API, health, metrics, and the PWA for every other path.
package http

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/julienschmidt/httprouter"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/clientip"
	"github.com/stockstream/stockstream/backend/engine"
	"github.com/stockstream/stockstream/backend/metrics"
	"github.com/stockstream/stockstream/backend/stream"
)

// Defaults for Config fields left zero.
const (
	DefaultHeartbeat    = stream.DefaultHeartbeat
	DefaultRetry        = stream.DefaultRetry
	DefaultWriteTimeout = stream.DefaultWriteTimeout
	DefaultMaxSymbols   = 100
	DefaultMaxBody      = 1 << 20
	DefaultMaxBatch     = 5000
	DefaultMaxFuture    = time.Minute
)

// Config configures a Server.
type Config struct {
	Broker backend.Broker
	// Delayed is what delayed readers read (see package delay); nil if
	// there are none.
	Delayed backend.Reader
	Metrics *metrics.Metrics // a fresh set if nil
	Logger  *slog.Logger     // slog.Default() if nil
	// App serves every path that is not an API route (the PWA); a JSON 404
	// if nil.
	App http.Handler

	Heartbeat time.Duration // comment after this much silence on a stream
	Retry     time.Duration // reconnect delay sent in "retry:"
	// WriteTimeout bounds each write to a stream: a peer that does not read
	// for this long is cut.
	WriteTimeout time.Duration
	// PublishToken is the bearer token of POST /api/prices; empty disables
	// publishing.
	PublishToken string
	// CORSOrigins are the exact origins allowed to call the API and open
	// the stream from another origin.
	CORSOrigins []string
	// MaxSymbols bounds the symbols= filter of a stream.
	MaxSymbols int
	// MaxBody bounds a publish request body in bytes; MaxBatch the events
	// in one request.
	MaxBody  int64
	MaxBatch int
	// MaxFuture bounds how far ahead of the server's clock a published
	// timestamp may be (DefaultMaxFuture if zero).
	MaxFuture time.Duration
	// MaxStreams bounds open streams in all (0: no bound); MaxStreamsPerIP
	// bounds them per client (0: no bound), as TrustedProxies tells the
	// client.
	MaxStreams      int
	MaxStreamsPerIP int
	// Access decides what each read request may read; nil: everyone reads
	// everything live.
	Access *access.Policy
	// TrustedProxies are the proxies whose X-Forwarded-For names the
	// client counted by MaxStreamsPerIP, and whose X-Forwarded-Proto says
	// whether the session cookie is Secure.
	TrustedProxies clientip.Proxies
	// RequestTimeout bounds reading and writing an ordinary request (30s if
	// zero); streams are exempt from it once their headers are read.
	RequestTimeout time.Duration
	// ReadHeaderTimeout bounds reading request headers (5s if zero), so a
	// slowloris client is cut.
	ReadHeaderTimeout time.Duration
}

// Server is the stockstream HTTP server.
type Server struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics.Metrics
	handler http.Handler
	limits  *streamLimits
	tier    *stream.Tier
	http    *http.Server

	mu     sync.Mutex
	eng    *engine.Engine // made by the first stream taken over
	engErr error          // why there is no engine
}

// New returns a Server for cfg, filling in defaults.
func New(cfg Config) *Server {
	orDefault(&cfg.Heartbeat, DefaultHeartbeat)
	orDefault(&cfg.Retry, DefaultRetry)
	orDefault(&cfg.WriteTimeout, DefaultWriteTimeout)
	orDefault(&cfg.MaxSymbols, DefaultMaxSymbols)
	orDefault(&cfg.MaxBody, DefaultMaxBody)
	orDefault(&cfg.MaxBatch, DefaultMaxBatch)
	orDefault(&cfg.MaxFuture, DefaultMaxFuture)
	orDefault(&cfg.ReadHeaderTimeout, 5*time.Second)
	orDefault(&cfg.RequestTimeout, 30*time.Second)
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Access == nil {
		cfg.Access = access.New(access.Config{})
	}
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		metrics: cfg.Metrics,
		limits:  newStreamLimits(cfg.MaxStreams, cfg.MaxStreamsPerIP),
		tier: stream.New(stream.Config{
			Heartbeat: cfg.Heartbeat, Retry: cfg.Retry, WriteTimeout: cfg.WriteTimeout,
			Metrics: cfg.Metrics, Logger: cfg.Logger,
		}),
	}
	s.handler = s.logRequests(s.routes())
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.RequestTimeout,
		// Streams clear this deadline and arm one per write instead, so
		// it only bounds ordinary responses.
		WriteTimeout:   cfg.RequestTimeout,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 16 << 10,
		ErrorLog:       slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
		ConnContext:    markConn,
	}
	return s
}

// orDefault sets a limit left zero (or negative) to its default.
func orDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

func (s *Server) routes() http.Handler {
	r := httprouter.New()
	r.GET(streamPath, s.handleStream)
	r.GET("/api/snapshot", s.handleSnapshot)
	r.GET("/api/stocks/:symbol", s.handleStock)
	r.GET("/api/stocks/:symbol/bars", s.handleBars)
	r.POST("/api/prices", s.handlePublish)
	r.GET("/api/session", s.handleSessionGet)
	r.POST("/api/session", s.handleSessionPost)
	r.DELETE("/api/session", s.handleSessionDelete)
	r.GET("/healthz", s.handleHealth)
	r.GET("/readyz", s.handleReady)
	r.Handler(http.MethodGet, "/metrics", promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{}))
	r.GlobalOPTIONS = http.HandlerFunc(s.handlePreflight)
	r.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed on "+r.URL.Path)
	})
	r.NotFound = http.HandlerFunc(s.handleOther)
	r.PanicHandler = func(w http.ResponseWriter, r *http.Request, v any) {
		s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
	return s.hsts(s.cors(r))
}

// handleOther serves the PWA, or a JSON 404 for unknown API paths.
func (s *Server) handleOther(w http.ResponseWriter, r *http.Request) {
	if s.cfg.App == nil || strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/api" {
		writeError(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
		return
	}
	s.cfg.App.ServeHTTP(w, r)
}

// Handler returns the server's root handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Metrics returns the server's metrics.
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// Serve accepts connections on l until Shutdown. It returns
// http.ErrServerClosed after a clean shutdown.
func (s *Server) Serve(l net.Listener) error { return s.http.Serve(l) }

// ServeTLS is Serve over TLS with HTTP/2.
func (s *Server) ServeTLS(l net.Listener, certFile, keyFile string) error {
	return s.http.ServeTLS(l, certFile, keyFile)
}

// Shutdown stops accepting connections, ends every open stream in order
// (clients reconnect elsewhere with Last-Event-ID), waits for handlers until
// ctx ends, and cuts the streams left then.
func (s *Server) Shutdown(ctx context.Context) error {
	httpDone := make(chan error, 1)
	go func() { httpDone <- s.http.Shutdown(ctx) }()
	err := s.tier.Close(ctx)
	err = errors.Join(err, <-httpDone)
	if errors.Is(err, context.DeadlineExceeded) {
		err = errors.Join(err, s.http.Close())
	}
	s.mu.Lock()
	if s.eng != nil {
		s.eng.Close()
	}
	s.mu.Unlock()
	return err
}
