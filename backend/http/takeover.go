package http

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/engine"
	"github.com/stockstream/stockstream/shared/sse"
)

// noDescriptor marks, in a connection's context, a connection the engine
// cannot take over: one that does not expose its socket (TLS, or a
// listener's wrapper).
type noDescriptor struct{}

// markConn is the server's ConnContext: it marks connections without a
// socket descriptor, and allocates nothing for the others.
func markConn(ctx context.Context, c net.Conn) context.Context {
	if _, ok := c.(syscall.Conn); ok {
		return ctx
	}
	return context.WithValue(ctx, noDescriptor{}, true)
}

// canTakeOver reports whether r's connection is one the engine can take
// over: HTTP/1.x over a plain socket, on a system with epoll. Others (HTTP/2,
// TLS) are served through their ResponseWriter.
func canTakeOver(r *http.Request) bool {
	return engine.Supported && r.ProtoMajor == 1 && r.TLS == nil && r.Context().Value(noDescriptor{}) == nil
}

// engine returns the server's engine, started on first use (so a server
// that never takes a stream over runs no writers); nil if it cannot be
// started or the server is shutting down.
func (s *Server) engine() *engine.Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil
	}
	if s.eng == nil && s.engErr == nil {
		s.eng, s.engErr = engine.New(engine.Config{
			Heartbeat: s.cfg.Heartbeat, WriteTimeout: s.cfg.WriteTimeout,
			HeartbeatFrame: sse.Heartbeat, Logger: s.log,
			Delivered: func(n int) { s.metrics.Delivered.Add(float64(n)) },
		})
		if s.engErr != nil {
			s.log.Error("stream engine cannot start: streams are told to retry", "err", s.engErr)
		}
	}
	return s.eng
}

// takeOver hijacks the connection of a stream whose headers are set and
// hands it to the engine with the response head and the opening. The
// response ends with the connection ("Connection: close"), so the body
// needs no chunked framing. From here on the stream holds its socket and
// subscription, nothing of the request. A ResponseWriter that cannot be
// hijacked serves the stream itself.
func (s *Server) takeOver(w http.ResponseWriter, r *http.Request, sub backend.Subscription, opening backend.Opening, end func()) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if errors.Is(err, http.ErrNotSupported) {
		s.serveResponse(w, r, sub, opening, end)
		return
	}
	if err != nil {
		end()
		return
	}
	first := [][]byte{responseHead(w.Header()), s.opening(opening)}
	eng := s.engine()
	if eng == nil || !s.trackStream() {
		s.openAndClose(conn, first)
		end()
		return
	}
	ls := &liveStream{s: s, sub: sub, end: end, remote: r.RemoteAddr, path: r.URL.Path, start: time.Now()}
	if err := eng.Start(conn, sub, first, ls.ended); err != nil {
		s.log.Warn("stream: engine refused the connection", "err", err, "remote", r.RemoteAddr)
		s.openAndClose(conn, first)
		ls.ended(0, err)
	}
}

// openAndClose writes a stream's head and opening and ends it, for a stream
// the engine cannot take (shutting down, or no engine): the client gets the
// id to resume from, and reconnects after "retry:".
func (s *Server) openAndClose(conn net.Conn, first net.Buffers) {
	conn.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
	first.WriteTo(conn)
	conn.Close()
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

// liveStream is what the server keeps of a taken-over stream, to release it
// and log it when it ends.
type liveStream struct {
	s      *Server
	sub    backend.Subscription
	end    func()
	remote string
	path   string
	start  time.Time
}

// ended releases the stream and logs it as logRequests logs a request. The
// engine calls it from a writer, once.
func (ls *liveStream) ended(written int64, _ error) {
	s := ls.s
	s.countDrop(ls.sub, ls.remote)
	ls.end()
	s.log.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("method", http.MethodGet),
		slog.String("path", ls.path),
		slog.Int("status", http.StatusOK),
		slog.Int64("bytes", written),
		slog.Duration("duration", time.Since(ls.start)),
		slog.String("remote", ls.remote))
	s.streams.Done()
}
