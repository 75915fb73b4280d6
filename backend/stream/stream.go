package stream

import (
	"sync/atomic"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/stream/wheel"
)

// Signals that make a stream ready, kept in Stream.flags until its runner
// takes them.
const (
	sigHangup   uint32 = 1 << iota // the client hung up
	sigWritable                    // a full connection drained
	sigEnded                       // the subscription ended
	sigTimer                       // a heartbeat, deadline or expiry fell due
	sigShutdown                    // the tier shuts down
	sigAbort                       // the tier gives up waiting: cut now
)

// Scheduling states of a stream: at most one runner runs it, and it is
// queued at most once.
const (
	idle    uint32 = iota
	queued         // in the ready list, or its goroutine woken
	running        // a runner is running it
	rerun          // running, and made ready again meanwhile
)

// Spec is what a stream is opened with.
type Spec struct {
	// Sub gives the stream's events; the stream closes it when it ends.
	Sub backend.Subscription
	// Opening is how the stream starts: a snapshot, or the replay that
	// Sub gives.
	Opening backend.Opening
	// Expires, if set, ends the stream cleanly at that time (a token's
	// expiry), at most a tick of the wheel later.
	Expires time.Time
	// Transport names the connection's kind in metrics: "http1",
	// "http1-tls" or "http2".
	Transport string
	// Delay is how long after its acceptance an event is due to this
	// stream's reader (the delayed tier's delay): the lag metric counts
	// from then.
	Delay time.Duration
	// Done, if set, is called once when the stream has ended, from its
	// runner, after its connection and subscription are closed.
	Done func(Result)
}

// Result is how a stream ended.
type Result struct {
	Reason   Reason
	Written  int64 // bytes written to the connection
	Duration time.Duration
}

// Stream is one SSE response: the policy's state for it and its place in
// the tier's scheduling. Its connection only moves bytes. It keeps nothing
// of its Spec but what it needs while it runs (an idle stream is mostly
// this struct, so every field counts: see the benchmarks' idle memory).
type Stream struct {
	t     *Tier
	sub   backend.Subscription
	done  func(Result) // Spec.Done
	c     *counters    // the metrics of its transport
	conn  Conn
	timer wheel.Timer[*Stream]
	wake  chan struct{} // for a stream served on its own goroutine; nil on the writers

	state    atomic.Uint32 // idle, queued, running or rerun
	flags    atomic.Uint32 // signals not yet taken by the runner
	inflight atomic.Int64  // 1 + tier clock when a waiting write began; 0 if none
	cut      atomic.Uint32 // the Reason of a cut made while a write waited

	// Owned by the runner.
	ending   Reason // why the stream ends once its begun frame is written
	resumed  bool   // it opens with a replay, not a snapshot
	partial  bool   // out[0] is partly written: the client holds half a frame
	poll     bool   // the subscription cannot notify: look at it every tick
	blocked  bool   // the connection is full: waiting for sigWritable
	finished bool
	opening  [][]byte      // "retry:" and the snapshot, until written
	out      [][]byte      // frames not yet written, in order; out[0] may be partly written
	delay    time.Duration // Spec.Delay
	// Times on the tier's clock.
	start     int64 // when it was opened
	endBy     int64 // by when an ending stream is cut
	lastWrite int64 // the last write
	stalled   int64 // since when pending bytes made no progress
	expires   int64 // Spec.Expires; 0 if none
	timerAt   int64 // when the timer is scheduled (0: not scheduled)
	written   int64 // bytes written
}

// schedule queues the stream for its runner, unless it is queued already;
// if a runner is running it, the runner runs it again. It is quick and
// callable from any goroutine.
func (st *Stream) schedule() {
	for {
		switch s := st.state.Load(); s {
		case idle:
			if st.state.CompareAndSwap(idle, queued) {
				if st.wake != nil {
					st.wake <- struct{}{}
				} else {
					st.t.ready.push(st)
				}
				return
			}
		case running:
			if st.state.CompareAndSwap(running, rerun) {
				return
			}
		default: // queued, or rerun already
			return
		}
	}
}

// signal records why the stream is ready and schedules it.
func (st *Stream) signal(sig uint32) {
	st.flags.Or(sig)
	st.schedule()
}

// Hangup is told by the connection that the client hung up.
func (st *Stream) Hangup() { st.signal(sigHangup) }

// Writable is told by the connection that it can take bytes again.
func (st *Stream) Writable() { st.signal(sigWritable) }

// notified is the subscription's Notify callback. A subscription that
// ended while a write waits on a client cuts the write now, so that a
// client that fell behind is cut at once on every transport.
func (st *Stream) notified(ended bool) {
	if !ended {
		st.schedule()
		return
	}
	st.signal(sigEnded)
	if st.inflight.Load() != 0 {
		st.abortWrite(Slow)
	}
}

// abortWrite cuts the connection under a waiting write for why.
func (st *Stream) abortWrite(why Reason) {
	st.cut.CompareAndSwap(0, uint32(why))
	st.conn.Abort()
}

// timerFired is the wheel's callback. A write that has waited on its
// client for the write timeout is cut here, since its runner is inside it.
func (st *Stream) timerFired() {
	if began := st.inflight.Load() - 1; began >= 0 {
		if due := began + int64(st.t.cfg.WriteTimeout); st.t.now() >= due {
			st.abortWrite(WriteTimeout)
		} else {
			st.t.wheel.Schedule(&st.timer, st.t.at(due))
		}
	}
	st.signal(sigTimer)
}
