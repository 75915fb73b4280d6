package http

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/stockstream/stockstream/backend"
)

// stream is where one SSE response's bytes go: the raw connection of a
// taken-over HTTP/1.1 response, or the ResponseWriter (HTTP/2, or a writer
// that cannot be taken over). Every write has a bounded time.
type stream struct {
	conn    net.Conn // nil: write through w
	w       http.ResponseWriter
	rc      *http.ResponseController
	head    []byte          // response head not yet written (conn only)
	bufs    net.Buffers     // scratch for one writev per burst
	gone    <-chan struct{} // closed when the client has left
	unwatch func()          // stops watching conn; before it is closed

	remote    string // for logs: the client's address
	method    string
	path      string
	start     time.Time
	bytes     int64
	timeout   time.Duration
	lastWrite time.Time // when the last burst was written
	armedAt   time.Time // when the write deadline was last set
}

// takeOver prepares the stream of a response whose headers are set. On
// HTTP/1.x it hijacks the connection and builds the response head itself,
// with "Connection: close": the body ends when the stream does, with no
// chunked framing. Elsewhere it writes the head through w.
func (s *Server) takeOver(w http.ResponseWriter, r *http.Request) (*stream, error) {
	st := &stream{w: w, rc: http.NewResponseController(w), timeout: s.cfg.WriteTimeout,
		remote: r.RemoteAddr, method: r.Method, path: r.URL.Path, start: time.Now()}
	conn, _, err := st.rc.Hijack()
	if errors.Is(err, http.ErrNotSupported) {
		st.useResponse(r)
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	// The server's read and write deadlines are absolute and would kill a
	// long stream; arm sets one per write instead.
	conn.SetDeadline(time.Time{})
	st.conn = conn
	st.head = responseHead(w.Header())
	st.gone, st.unwatch = closes().watch(conn)
	// The ResponseWriter holds net/http's buffers for the connection: let
	// them go.
	st.w, st.rc = nil, nil
	return st, nil
}

// useResponse readies the stream for writing through the ResponseWriter.
func (st *stream) useResponse(r *http.Request) {
	st.gone = r.Context().Done()
	// The server's read and write timeouts would kill a long stream; a
	// writer without deadlines has none to clear.
	st.rc.SetReadDeadline(time.Time{})
	st.rc.SetWriteDeadline(time.Time{})
	st.w.WriteHeader(http.StatusOK)
}

// responseHead is the status line and headers of a taken-over stream.
func responseHead(h http.Header) []byte {
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 200 OK\r\n")
	h.Set("Connection", "close")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Write(&b)
	b.WriteString("\r\n")
	return b.Bytes()
}

// arm keeps a write deadline between timeout/2 and timeout ahead, setting
// it at most once per half timeout: a peer that stops reading is cut within
// timeout, and a busy stream does not pay for a deadline per burst.
func (st *stream) arm() error {
	st.lastWrite = time.Now()
	if st.lastWrite.Sub(st.armedAt) < st.timeout/2 {
		return nil
	}
	st.armedAt = st.lastWrite
	return st.setWriteDeadline(st.lastWrite.Add(st.timeout))
}

func (st *stream) setWriteDeadline(t time.Time) error {
	if st.conn != nil {
		return st.conn.SetWriteDeadline(t)
	}
	return st.rc.SetWriteDeadline(t)
}

// cut expires the write deadline, ending a write blocked on a peer that
// stopped reading.
func (st *stream) cut() { st.setWriteDeadline(time.Now()) }

// writeEvents writes the frames of a batch in one write.
func (st *stream) writeEvents(batch []*backend.Event) error {
	st.bufs = st.bufs[:0]
	for _, ev := range batch {
		st.bufs = append(st.bufs, ev.Frame)
	}
	return st.writeBuffers()
}

// write writes b in one write.
func (st *stream) write(b []byte) error {
	st.bufs = append(st.bufs[:0], b)
	return st.writeBuffers()
}

// writeBuffers writes st.bufs, after the response head if it is still
// pending: one writev on a connection, one flush on a ResponseWriter. It
// lets go of the buffers afterwards, so an idle stream keeps no bytes of
// its last write (the opening can be a large snapshot or replay).
func (st *stream) writeBuffers() error {
	defer clear(st.bufs)
	if err := st.arm(); err != nil {
		return err
	}
	if st.conn == nil {
		for _, b := range st.bufs {
			n, err := st.w.Write(b)
			st.bytes += int64(n)
			if err != nil {
				return err
			}
		}
		return st.rc.Flush()
	}
	bufs := st.bufs
	if st.head != nil {
		bufs = append(net.Buffers{st.head}, bufs...)
		st.head = nil
	}
	n, err := bufs.WriteTo(st.conn)
	st.bytes += n
	return err
}

// close ends a taken-over connection; a ResponseWriter ends with its
// handler.
func (st *stream) close() {
	if st.conn != nil {
		st.unwatch()
		st.conn.Close()
	}
}

// logStream logs a taken-over stream as logRequests logs a request, when
// it ends.
func (s *Server) logStream(st *stream) {
	if st.conn == nil {
		return // logRequests logs it
	}
	s.log.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("method", st.method),
		slog.String("path", st.path),
		slog.Int("status", http.StatusOK),
		slog.Int64("bytes", st.bytes),
		slog.Duration("duration", time.Since(st.start)),
		slog.String("remote", st.remote))
}
