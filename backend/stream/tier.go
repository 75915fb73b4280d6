// Package stream is the stream tier's one policy core. For every SSE
// response it decides what to write next — "retry:", the opening (a
// snapshot, or a replay in bounded chunks), live and conflated frames,
// heartbeat comments — and when to end it: the client hung up, fell behind,
// stopped reading for the write timeout, its access expired, or the server
// shuts down. It knows nothing of the transport: a Conn only moves bytes
// and reports writability. A taken-over HTTP/1.1 socket never waits, so its
// streams run on a fixed pool of writers fed by one ready list; a
// ResponseWriter (HTTP/2, TLS) waits, so its stream runs on its handler's
// goroutine. Heartbeats, write deadlines and expiries of every stream come
// from one timer wheel, and metrics are counted here once, labelled by
// transport.
package stream

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/metrics"
	"github.com/stockstream/stockstream/backend/stream/wheel"
)

// Defaults of Config fields left zero.
const (
	DefaultHeartbeat    = 15 * time.Second
	DefaultRetry        = 3 * time.Second
	DefaultWriteTimeout = 10 * time.Second
	DefaultEndGrace     = 2 * time.Second
	// DefaultChunk is how many events one write takes at most, so that a
	// long replay or a burst is written in bounded pieces.
	DefaultChunk = 256
)

// Config configures a Tier.
type Config struct {
	Heartbeat time.Duration // a comment after this much silence
	Retry     time.Duration // the reconnect delay sent in "retry:"
	// WriteTimeout is how long a stream may have bytes pending without the
	// client taking any before it is cut.
	WriteTimeout time.Duration
	// EndGrace is how long a stream that ends in order (shutdown, expiry)
	// waits for the client to take the rest of a frame it has begun;
	// frames not begun are dropped whole.
	EndGrace time.Duration
	Chunk    int // events per write (DefaultChunk if 0)
	Writers  int // writer goroutines (GOMAXPROCS if 0)
	Metrics  *metrics.Metrics
	Logger   *slog.Logger
}

// Tier runs streams: their writers, their timer wheel, their shutdown.
type Tier struct {
	cfg     Config
	start   time.Time
	wheel   *wheel.Wheel[*Stream]
	ready   readyList
	stop    chan struct{}
	workers sync.WaitGroup // writers and the ticker
	live    sync.WaitGroup // streams not yet finished

	mu      sync.Mutex
	streams map[*Stream]struct{}
	labels  map[string]*counters
	closing bool
}

// counters are the metrics of one transport, resolved once.
type counters struct {
	bytes, delivered prometheus.Counter
	lag              prometheus.Observer
	opened           *prometheus.CounterVec
	closed           *prometheus.CounterVec
	transport        string
}

// slots is the size of the timer wheel: at a 100ms tick, one turn is
// about 100s, more than a heartbeat or write timeout.
const slots = 1024

// New starts a tier's writers and ticker.
func New(cfg Config) *Tier {
	orDefault(&cfg.Heartbeat, DefaultHeartbeat)
	orDefault(&cfg.Retry, DefaultRetry)
	orDefault(&cfg.WriteTimeout, DefaultWriteTimeout)
	orDefault(&cfg.EndGrace, DefaultEndGrace)
	orDefault(&cfg.Chunk, DefaultChunk)
	orDefault(&cfg.Writers, runtime.GOMAXPROCS(0))
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	t := &Tier{
		cfg:     cfg,
		start:   time.Now(),
		ready:   newReadyList(cfg.Writers),
		stop:    make(chan struct{}),
		streams: make(map[*Stream]struct{}),
		labels:  make(map[string]*counters),
	}
	t.wheel = wheel.New(Tick(cfg.Heartbeat, cfg.WriteTimeout), slots, (*Stream).timerFired)
	for range cfg.Writers {
		t.workers.Go(t.write)
	}
	t.workers.Go(t.tick)
	return t
}

func orDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Tick is the timer wheel's resolution for a heartbeat and write timeout:
// a sixteenth of the shorter, between 1ms and 100ms. A timer is late by
// less than a tick, plus the time its runner takes to reach the stream.
func Tick(heartbeat, writeTimeout time.Duration) time.Duration {
	return min(max(min(heartbeat, writeTimeout)/16, time.Millisecond), 100*time.Millisecond)
}

// ErrClosing refuses a stream once the tier shuts down.
var ErrClosing = errors.New("server shutting down")

// Open registers a stream for spec; the caller then hands its connection
// to Start or Serve. It refuses once the tier shuts down (the caller then
// closes spec.Sub).
func (t *Tier) Open(spec Spec) (*Stream, error) {
	st := &Stream{t: t, sub: spec.Sub, done: spec.Done, delay: spec.Delay, resumed: spec.Opening.Resumed, start: t.now()}
	st.timer.Value = st
	st.opening = t.openingFrames(spec.Opening)
	_, canNotify := spec.Sub.(backend.Notifier)
	st.poll = !canNotify
	if !spec.Expires.IsZero() {
		st.expires = max(t.clock(spec.Expires), 1)
	}
	// Until Start or Serve, the stream counts as running: signals that
	// come meanwhile (a hang-up, a shutdown) only mark it for a rerun.
	st.state.Store(running)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closing {
		return nil, ErrClosing
	}
	st.c = t.countersLocked(spec.Transport)
	t.streams[st] = struct{}{}
	t.live.Add(1)
	return st, nil
}

// Start runs st on the writers over conn, which never waits, and returns.
func (t *Tier) Start(st *Stream, conn Conn) {
	st.conn = conn
	t.begin(st)
	st.state.Store(queued)
	t.ready.push(st)
}

// Serve runs st over conn on the calling goroutine until it ends; a
// ResponseWriter's handler calls it.
func (t *Tier) Serve(st *Stream, conn Conn) {
	st.conn = conn
	st.wake = make(chan struct{}, 1)
	t.begin(st)
	w := &scratch{}
	for {
		st.state.Store(running)
		t.service(w, st)
		if st.finished {
			return
		}
		if st.state.CompareAndSwap(running, idle) {
			<-st.wake
		}
	}
}

// begin counts the stream's opening and registers its callbacks.
func (t *Tier) begin(st *Stream) {
	st.lastWrite = t.now()
	start := "snapshot"
	if st.resumed {
		start = "resume"
	}
	st.c.opened.WithLabelValues(st.c.transport, start).Inc()
	if n, ok := st.sub.(backend.Notifier); ok {
		n.Notify(st.notified)
	}
}

// countersLocked returns the metrics of a transport, made on its first
// stream; t.mu is held.
func (t *Tier) countersLocked(transport string) *counters {
	c := t.labels[transport]
	if c == nil {
		m := t.cfg.Metrics
		c = &counters{
			transport: transport,
			bytes:     m.StreamBytes.WithLabelValues(transport),
			delivered: m.Delivered.WithLabelValues(transport),
			lag:       m.StreamLag.WithLabelValues(transport),
			opened:    m.StreamsOpened,
			closed:    m.StreamsClosed,
		}
		t.labels[transport] = c
	}
	return c
}

// Len returns the number of streams the tier runs.
func (t *Tier) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.streams)
}

// Shutdown ends every stream in order and refuses new ones, and waits
// until all have ended or ctx ends; then it cuts those left. It does not
// leave the work to the writers alone: goroutines of its own end the
// streams no writer holds, a share each. A server shutting down is often
// busy (its clients reconnecting elsewhere), and the scheduler shares the
// cores among runnable goroutines, not among streams.
func (t *Tier) Shutdown(ctx context.Context) error {
	all := t.signalAll(sigShutdown)
	var wg sync.WaitGroup
	n := runtime.GOMAXPROCS(0) + len(all)/shutdownShare
	for i := range n {
		wg.Go(func() {
			w := &scratch{}
			for _, st := range all[i*len(all)/n : (i+1)*len(all)/n] {
				if st.wake == nil && st.state.CompareAndSwap(idle, running) {
					t.run(w, st, false)
					continue
				}
				st.schedule()
			}
			t.drain(w)
		})
	}
	wg.Wait()
	done := make(chan struct{})
	go func() { t.live.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		t.signalAll(sigAbort)
		<-done
		return ctx.Err()
	}
}

// shutdownShare is how many streams one goroutine of Shutdown ends.
const shutdownShare = 64

// signalAll marks the tier closing and signals every stream; it returns
// them.
func (t *Tier) signalAll(sig uint32) []*Stream {
	t.mu.Lock()
	t.closing = true
	all := make([]*Stream, 0, len(t.streams))
	for st := range t.streams {
		all = append(all, st)
	}
	t.mu.Unlock()
	for _, st := range all {
		st.flags.Or(sig)
		if sig == sigAbort && st.inflight.Load() != 0 {
			st.abortWrite(WriteTimeout)
		}
		if sig == sigAbort || st.wake != nil {
			st.schedule()
		}
	}
	return all
}

// Close shuts the tier down (cutting streams left after ctx) and stops its
// goroutines.
func (t *Tier) Close(ctx context.Context) error {
	err := t.Shutdown(ctx)
	t.mu.Lock()
	select {
	case <-t.stop:
	default:
		close(t.stop)
	}
	t.mu.Unlock()
	t.workers.Wait()
	return err
}

// now is the tier's monotonic clock, in nanoseconds since New.
func (t *Tier) now() int64 { return int64(time.Since(t.start)) }

// clock converts a time to the tier's clock.
func (t *Tier) clock(at time.Time) int64 { return int64(at.Sub(t.start)) }

// at converts the tier's clock to a time.
func (t *Tier) at(ns int64) time.Time { return t.start.Add(time.Duration(ns)) }

// tick advances the timer wheel until the tier stops.
func (t *Tier) tick() {
	tk := time.NewTicker(t.wheel.Tick())
	defer tk.Stop()
	for {
		select {
		case now := <-tk.C:
			t.wheel.Advance(now)
		case <-t.stop:
			return
		}
	}
}

// Refuse ends a stream that was opened but whose connection could not be
// handed over: its subscription is closed and its owner told.
func (st *Stream) Refuse() {
	st.conn = refused{}
	st.t.finish(st, WriteFailed)
}

// refused is the connection of a stream that never got one.
type refused struct{}

func (refused) Write([][]byte) (int, error) { return 0, ErrWouldBlock }
func (refused) Waits() bool                 { return false }
func (refused) Abort()                      {}
func (refused) Close()                      {}
