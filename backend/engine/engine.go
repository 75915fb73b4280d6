// Package engine writes many SSE streams to their sockets without a
// goroutine per stream. A fixed pool of writers (one per core) is fed by a
// ready list: a subscription with pending events, a socket that can take
// bytes again, a client that hung up, a heartbeat or write timeout that fell
// due, each marks its stream ready, and a writer drains it into one
// non-blocking writev. A socket that is full keeps its unsent bytes and
// waits for writability in the shared poller instead of parking a
// goroutine; heartbeats and write timeouts come from one timer wheel.
package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/engine/poller"
	"github.com/stockstream/stockstream/backend/engine/wheel"
)

// Why a stream ended, besides its subscription's error and write errors.
var (
	// ErrClientGone ends a stream whose client hung up.
	ErrClientGone = errors.New("client went away")
	// ErrWriteTimeout ends a stream whose socket took no byte for the
	// write timeout: its client stopped reading.
	ErrWriteTimeout = errors.New("client stopped reading: write timed out")
	// ErrShutdown ends every stream of an engine that is shutting down.
	ErrShutdown = errors.New("server shutting down")
)

// Config configures an Engine.
type Config struct {
	// Heartbeat is the silence after which a stream gets a comment.
	Heartbeat time.Duration
	// WriteTimeout is how long a stream may have bytes pending without its
	// socket taking any before it is cut.
	WriteTimeout time.Duration
	// HeartbeatFrame is what is written after Heartbeat of silence.
	HeartbeatFrame []byte
	// Writers is the number of writer goroutines (GOMAXPROCS if 0).
	Writers int
	// Delivered, if set, is told how many live events were taken for
	// writing, in sums of many streams.
	Delivered func(n int)
	Logger    *slog.Logger
}

// Engine runs taken-over streams.
type Engine struct {
	cfg     Config
	start   time.Time
	poller  *poller.Poller
	wheel   *wheel.Wheel[*stream]
	ready   readyList
	reclaim reclaimer
	stop    chan struct{}
	workers sync.WaitGroup // writers and the ticker
	live    sync.WaitGroup // streams not yet finished
	blocked atomic.Int64   // streams waiting for a full socket to drain

	mu      sync.Mutex
	streams map[*stream]struct{}
	closing bool
}

// slots is the size of the timer wheel: at a 100ms tick, one turn is
// about 100s, more than a heartbeat or write timeout.
const slots = 1024

// New starts an engine: its writers, its ticker and its poller. It fails
// where the system has no poller.
func New(cfg Config) (*Engine, error) {
	if cfg.Heartbeat <= 0 || cfg.WriteTimeout <= 0 || len(cfg.HeartbeatFrame) == 0 {
		return nil, errors.New("engine: Heartbeat, WriteTimeout and HeartbeatFrame are required")
	}
	if cfg.Writers <= 0 {
		cfg.Writers = runtime.GOMAXPROCS(0)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	p, err := poller.New(cfg.Logger)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg: cfg, start: time.Now(), poller: p,
		ready:   newReadyList(cfg.Writers),
		stop:    make(chan struct{}),
		streams: make(map[*stream]struct{}),
	}
	e.wheel = wheel.New(Tick(cfg.Heartbeat, cfg.WriteTimeout), slots, (*stream).timerFired)
	for range cfg.Writers {
		e.workers.Go(e.write)
	}
	e.workers.Go(e.tick)
	return e, nil
}

// Tick is the timer wheel's resolution for a heartbeat and write timeout:
// a sixteenth of the shorter, between 1ms and 100ms. A heartbeat is late by
// less than a tick, plus the time its writer takes to reach the stream.
func Tick(heartbeat, writeTimeout time.Duration) time.Duration {
	return min(max(min(heartbeat, writeTimeout)/16, time.Millisecond), 100*time.Millisecond)
}

// Start hands conn over to the engine: it writes first (the response head
// and the opening of the stream), then sub's events as they come, and
// heartbeats, until the client leaves, stops reading, sub ends or the
// engine shuts down. done is then called once, from a writer, with the
// bytes written and why the stream ended (sub's error if it ended it); conn
// is closed by then, sub is not. On error nothing was taken over.
func (e *Engine) Start(conn net.Conn, sub backend.Subscription, first [][]byte, done func(written int64, err error)) error {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return fmt.Errorf("engine: %T has no descriptor", conn)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	fd := -1
	if err := raw.Control(func(u uintptr) { fd = int(u) }); err != nil {
		return err // closed already
	}
	st := &stream{e: e, conn: conn, raw: raw, sub: sub, done: done, out: first, lastWrite: e.now()}
	st.timer.Value = st
	// Until Start is done, the stream counts as running: signals that come
	// meanwhile (a hang-up, a shutdown, events) only mark it for a rerun.
	st.state.Store(running)
	if err := e.add(st); err != nil {
		return err
	}
	tok, err := e.poller.Add(fd, st)
	if err != nil {
		e.remove(st)
		return err
	}
	st.tok = tok
	sub.OnReady(st.schedule)
	sub.OnEnd(st.subscriptionEnded)
	st.state.Store(queued) // write the opening
	e.ready.push(st)
	return nil
}

// add registers st; it refuses once the engine shuts down.
func (e *Engine) add(st *stream) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closing {
		return ErrShutdown
	}
	e.streams[st] = struct{}{}
	e.live.Add(1)
	e.reclaim.churn++
	return nil
}

// remove unregisters st.
func (e *Engine) remove(st *stream) {
	e.mu.Lock()
	delete(e.streams, st)
	e.reclaim.churn++
	e.mu.Unlock()
	e.live.Done()
}

// Len returns the number of streams the engine runs.
func (e *Engine) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.streams)
}

// Blocked returns the number of streams whose socket is full: their client
// reads slower than events come, or has stopped reading.
func (e *Engine) Blocked() int { return int(e.blocked.Load()) }

// Shutdown ends every stream and refuses new ones. It does not leave the
// work to the writers alone: on a goroutine per shutdownShare streams it
// ends the streams no writer holds, and takes ready ones off the writers'
// list. A server shutting down is often busy (its clients reconnecting
// elsewhere, new requests refused), and the scheduler shares the cores
// among runnable goroutines, not among streams. A stream a writer holds is
// ended by that writer.
func (e *Engine) Shutdown() {
	e.mu.Lock()
	e.closing = true
	all := make([]*stream, 0, len(e.streams))
	for st := range e.streams {
		st.flags.Or(sigShutdown)
		all = append(all, st)
	}
	e.mu.Unlock()
	var wg sync.WaitGroup
	n := runtime.GOMAXPROCS(0) + len(all)/shutdownShare
	for i := range n {
		wg.Go(func() {
			w := &writer{}
			for _, st := range all[i*len(all)/n : (i+1)*len(all)/n] {
				if st.state.CompareAndSwap(idle, running) {
					e.service(w, st) // ends it: no one else runs it now
					continue
				}
				st.schedule()
			}
			e.drain(w)
		})
	}
	wg.Wait()
}

// shutdownShare is how many streams one goroutine of Shutdown ends.
const shutdownShare = 64

// drain runs ready streams until none is left.
func (e *Engine) drain(w *writer) {
	var ready []*stream
	for {
		if ready = e.ready.pop(ready[:0]); len(ready) == 0 {
			return
		}
		e.runAll(w, ready)
	}
}

// Close ends every stream, waits until each has finished, and stops the
// engine's goroutines.
func (e *Engine) Close() {
	e.Shutdown()
	e.live.Wait()
	e.mu.Lock()
	select {
	case <-e.stop:
	default:
		close(e.stop)
	}
	e.mu.Unlock()
	e.workers.Wait()
	e.poller.Close()
}

// now is the engine's monotonic clock, in nanoseconds since New.
func (e *Engine) now() int64 { return int64(time.Since(e.start)) }

// at converts the engine's clock to a time.
func (e *Engine) at(ns int64) time.Time { return e.start.Add(time.Duration(ns)) }

// tick advances the timer wheel and gives burst garbage back to the OS,
// until the engine stops.
func (e *Engine) tick() {
	t := time.NewTicker(e.wheel.Tick())
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			e.wheel.Advance(now)
			e.mu.Lock()
			burstOver := e.reclaim.tick(now)
			e.mu.Unlock()
			if burstOver && e.reclaim.freeing.CompareAndSwap(false, true) {
				// A full collection takes a while on a big heap: the
				// wheel keeps ticking meanwhile.
				go e.reclaim.free(e.cfg.Logger)
			}
		case <-e.stop:
			return
		}
	}
}

// Supported reports whether engines can run on this system: they need its
// poller.
const Supported = poller.Supported
