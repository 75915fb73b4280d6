package engine

import (
	"net"
	"sync/atomic"
	"syscall"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/engine/poller"
	"github.com/stockstream/stockstream/backend/engine/wheel"
)

// Signals that make a stream ready, kept in stream.flags until its writer
// takes them.
const (
	sigHangup   uint32 = 1 << iota // the poller saw the client hang up
	sigWritable                    // the poller saw the full socket drain
	sigEnded                       // the subscription ended
	sigTimer                       // its heartbeat or write timeout fell due
	sigShutdown                    // the engine shuts down
)

// Scheduling states of a stream: at most one writer runs it, and it is in a
// ready list at most once.
const (
	idle    uint32 = iota
	queued         // in its shard's ready list
	running        // a writer is running it
	rerun          // running, and made ready again meanwhile
)

// stream is one taken-over SSE response.
type stream struct {
	conn  net.Conn
	raw   syscall.RawConn
	sub   backend.Subscription
	done  func(written int64, err error)
	tok   poller.Token
	e     *Engine
	timer wheel.Timer[*stream]

	state atomic.Uint32 // idle, queued, running or rerun
	flags atomic.Uint32 // signals not yet taken by a writer

	// Owned by the writer running the stream.
	out       [][]byte // bytes not yet written, in order
	blocked   bool     // the socket is full: waiting for sigWritable
	lastWrite int64    // engine clock of the last write
	stalled   int64    // since when pending bytes made no progress
	timerAt   int64    // when the timer is scheduled (0: not scheduled)
	written   int64
	finished  bool
}

// schedule puts the stream in its ready list, unless it is there already;
// if a writer is running it, the writer runs it again. It is the
// subscription's OnReady callback: quick, and callable from any goroutine.
func (st *stream) schedule() {
	for {
		switch s := st.state.Load(); s {
		case idle:
			if st.state.CompareAndSwap(idle, queued) {
				st.e.ready.push(st)
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
func (st *stream) signal(sig uint32) {
	st.flags.Or(sig)
	st.schedule()
}

// Hangup is told by the poller that the client hung up.
func (st *stream) Hangup() { st.signal(sigHangup) }

// Writable is told by the poller that the full socket drained.
func (st *stream) Writable() { st.signal(sigWritable) }

func (st *stream) subscriptionEnded() { st.signal(sigEnded) }

func (st *stream) timerFired() { st.signal(sigTimer) }
