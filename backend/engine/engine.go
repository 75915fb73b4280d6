// Package engine is the transport of taken-over HTTP/1.1 streams: it writes
// to a socket with non-blocking writev calls and learns from one epoll
// poller, shared by every socket, when a client hangs up or a full socket
// drains. It never parks a goroutine on a socket, so a stream on it costs no
// goroutine: the stream core (package stream) runs it on its writers.
package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"syscall"

	"github.com/stockstream/stockstream/backend/engine/poller"
	"github.com/stockstream/stockstream/backend/stream"
)

// SendBuffer is the kernel send buffer of a taken-over socket, in bytes
// (the kernel doubles it for its bookkeeping): what a client that stops
// reading can hold queued, instead of the megabytes TCP autotuning would
// give it. The kernel still lets the last segment it builds grow past it,
// so a stream whose client stops reading keeps about 45 KiB queued with
// 16 KiB (measured by backend/bounds; 32 KiB kept about 130 KiB). The
// price is throughput over long round trips: about 32 KiB in flight, so
// 640 KB/s per stream at 50 ms, against the 30 KB/s of a stream of 200
// events a second.
const SendBuffer = 16 << 10

// Engine owns the poller of the taken-over sockets.
type Engine struct {
	poller *poller.Poller
}

// New starts an engine's poller; it fails where the system has none.
func New(log *slog.Logger) (*Engine, error) {
	p, err := poller.New(log)
	if err != nil {
		return nil, err
	}
	return &Engine{poller: p}, nil
}

// Close stops the poller; the sockets must be closed by then.
func (e *Engine) Close() { e.poller.Close() }

// Supported reports whether engines can run on this system: they need its
// poller.
const Supported = poller.Supported

// Handler is told what happens to a taken socket; a stream.Stream is one.
type Handler = poller.Handler

// Take takes conn over: it duplicates its socket's descriptor, caps its
// send buffer, registers it, whose hang-ups and writability h is told of,
// and closes conn, and returns the socket as a stream connection. Closing
// conn releases what Go keeps for it (its descriptor, its addresses, its
// registration in Go's poller, about 0.6 KiB) without ending the
// connection: the socket stays open on the duplicate, which the engine
// alone holds, so nothing can close it behind the engine's back. On error
// nothing was taken and conn is still the caller's.
func (e *Engine) Take(conn net.Conn, h Handler) (*Socket, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("engine: %T has no descriptor", conn)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd, derr := -1, error(nil)
	if err := raw.Control(func(u uintptr) { fd, derr = dupSocket(int(u)) }); err != nil {
		return nil, err // closed already
	}
	if derr != nil {
		return nil, fmt.Errorf("engine: duplicating the socket: %w", derr)
	}
	setSendBuffer(fd, SendBuffer)
	tok, err := e.poller.Add(fd, h)
	if err != nil {
		closeSocket(fd)
		return nil, err
	}
	conn.Close() // the socket stays open on fd: no FIN is sent
	return &Socket{e: e, fd: fd, tok: tok}, nil
}

// Socket is a taken-over socket: a stream connection that never waits.
type Socket struct {
	e   *Engine
	tok poller.Token
	// mu keeps fd from being closed, and its number reused by a new
	// socket, while a write is under way.
	mu sync.Mutex
	fd int // -1 once closed
}

var _ stream.Conn = (*Socket)(nil)

// errClosed is returned by Write on a socket already closed.
var errClosed = errors.New("engine: socket closed")

// Write writes bufs with non-blocking writev calls until all is written or
// the socket is full; then it returns stream.ErrWouldBlock and the poller
// tells the handler when the socket drains.
func (s *Socket) Write(bufs [][]byte) (int, error) {
	s.mu.Lock()
	if s.fd < 0 {
		s.mu.Unlock()
		return 0, errClosed
	}
	v := vectorPool.Get().(*vectors)
	n, err := v.writev(s.fd, bufs)
	vectorPool.Put(v)
	s.mu.Unlock()
	if err == errWouldBlock {
		if err := s.e.poller.WantWritable(s.tok); err != nil {
			return n, err
		}
		return n, stream.ErrWouldBlock
	}
	return n, err
}

// Waits reports false: a socket write never waits.
func (s *Socket) Waits() bool { return false }

// Abort resets the connection: its send queue is dropped, not left to
// linger in the kernel for a client that does not read.
func (s *Socket) Abort() { s.close(true) }

// Close closes the connection in order, after what was written.
func (s *Socket) Close() { s.close(false) }

// close ends the registration and closes the descriptor, the socket's
// last, with a reset if reset is set; later calls do nothing.
func (s *Socket) close(reset bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fd < 0 {
		return
	}
	s.e.poller.Remove(s.tok)
	if reset {
		setLingerZero(s.fd)
	}
	closeSocket(s.fd)
	s.fd = -1
}

// vectorPool holds the writev scratch of the writers.
var vectorPool = sync.Pool{New: func() any { return new(vectors) }}
