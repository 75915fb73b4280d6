package stream

import "errors"

// Conn is a transport: it moves a stream's bytes to the client and tells
// the stream (Hangup, Writable) what happens to the connection. It decides
// nothing: what to write, when, and when to give up is the core's.
type Conn interface {
	// Write writes bufs in order and returns the number of bytes written.
	// A connection that never waits (a taken-over socket) writes what it
	// can take and returns ErrWouldBlock when it is full; it then calls
	// the stream's Writable once it drains. A connection that waits (a
	// ResponseWriter) returns when all is written or the write failed.
	Write(bufs [][]byte) (int, error)
	// Waits reports whether Write waits for the client.
	Waits() bool
	// Abort cuts the connection at once, from any goroutine: a waiting
	// Write fails, and unsent bytes are dropped rather than left queued
	// (a reset, not an orderly close).
	Abort()
	// Close ends the response in order, after what was written.
	Close()
}

// ErrWouldBlock is returned by Write of a connection that never waits
// when it took less than it was given.
var ErrWouldBlock = errors.New("connection full")

// Reason says why a stream ended; it labels the closed-streams metric.
type Reason uint8

// Why streams end.
const (
	_            Reason = iota
	ClientGone          // the client hung up
	Slow                // the client fell behind the events held
	WriteTimeout        // the client took no byte for the write timeout
	WriteFailed         // the connection failed
	Shutdown            // the server shuts down
	Expired             // the stream's access expired
	BrokerClosed        // the broker ended the subscription
)

// String is the reason's metric label.
func (r Reason) String() string {
	switch r {
	case ClientGone:
		return "client_gone"
	case Slow:
		return "slow"
	case WriteTimeout:
		return "write_timeout"
	case WriteFailed:
		return "write_failed"
	case Shutdown:
		return "shutdown"
	case Expired:
		return "expired"
	case BrokerClosed:
		return "broker_closed"
	}
	return "unknown"
}

// Cut reports whether the stream was cut rather than ended in order.
func (r Reason) Cut() bool { return r == Slow || r == WriteTimeout || r == WriteFailed }
