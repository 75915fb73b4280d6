package http

import (
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/stockstream/stockstream/backend/engine"
	"github.com/stockstream/stockstream/backend/stream"
)

// responseConn is the transport of streams the engine cannot take over
// (HTTP/2, TLS, systems without epoll): it writes through the
// ResponseWriter, waiting for the client, on the handler's goroutine. It
// sets no write deadline of its own: the tier's wheel watches every write
// and calls Abort when one waits too long.
type responseConn struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	sock *net.TCPConn // under HTTP/1.1 over TLS: the socket, reset by Abort
	once sync.Once
}

var _ stream.Conn = (*responseConn)(nil)

// newResponseConn writes the response head and readies the stream. The
// server's read and write timeouts, which would end a long stream, are
// cleared.
func newResponseConn(w http.ResponseWriter, r *http.Request) *responseConn {
	c := &responseConn{w: w, rc: http.NewResponseController(w)}
	c.rc.SetReadDeadline(time.Time{})
	c.rc.SetWriteDeadline(time.Time{})
	if r.ProtoMajor == 1 {
		c.sock = socketUnder(r)
	}
	if c.sock != nil {
		c.sock.SetWriteBuffer(engine.SendBuffer)
	}
	w.WriteHeader(http.StatusOK)
	return c
}

// socketUnder returns the TCP socket under a TLS connection, or nil.
func socketUnder(r *http.Request) *net.TCPConn {
	tc, ok := r.Context().Value(connKey{}).(*tls.Conn)
	if !ok {
		return nil
	}
	sock, _ := tc.NetConn().(*net.TCPConn)
	return sock
}

// Write writes bufs and flushes them.
func (c *responseConn) Write(bufs [][]byte) (int, error) {
	n := 0
	for _, b := range bufs {
		m, err := c.w.Write(b)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, c.rc.Flush()
}

// Waits reports true: a ResponseWriter's write waits for the client.
func (c *responseConn) Waits() bool { return true }

// Abort fails a waiting write at once: an HTTP/2 stream is reset; under
// HTTP/1.1 over TLS the socket itself is reset, since closing the TLS
// connection would first wait to send its close_notify to a client that
// does not read.
func (c *responseConn) Abort() {
	c.once.Do(func() {
		c.rc.SetWriteDeadline(time.Now())
		if c.sock != nil {
			c.sock.SetLinger(0)
			c.sock.Close()
		}
	})
}

// Close ends the response in order: it ends when the handler returns, which
// it does once Close has returned. Close waits for an Abort under way on
// another goroutine (the wheel's, or a subscription's callback) and keeps
// any later one from touching the ResponseWriter, which must not be used
// after its handler returns.
func (c *responseConn) Close() { c.once.Do(func() {}) }
