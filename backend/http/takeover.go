package http

import (
	"context"
	"errors"
	"net"
	"net/http"
	"syscall"

	"github.com/stockstream/stockstream/backend/engine"
	"github.com/stockstream/stockstream/backend/stream"
)

// connKey holds, in a connection's context, a connection the engine cannot
// take over because it does not expose its socket (TLS, or a listener's
// wrapper), so that a stream on it can still be cut at the socket.
type connKey struct{}

// markConn is the server's ConnContext: it keeps connections without a
// socket descriptor in their context, and allocates nothing for the
// others.
func markConn(ctx context.Context, c net.Conn) context.Context {
	if _, ok := c.(syscall.Conn); ok {
		return ctx
	}
	return context.WithValue(ctx, connKey{}, c)
}

// canTakeOver reports whether r's connection is one the engine can take
// over: HTTP/1.x over a plain socket, on a system with epoll. Others (HTTP/2,
// TLS) are served through their ResponseWriter.
func canTakeOver(r *http.Request) bool {
	return engine.Supported && r.ProtoMajor == 1 && r.TLS == nil && r.Context().Value(connKey{}) == nil
}

// takeOver has net/http write the response head, hijacks the connection
// and hands it to the engine; the stream then runs on the tier's writers.
// The response ends with the connection (Transfer-Encoding identity, which
// net/http answers with "Connection: close"), so the body needs no chunked
// framing. A ResponseWriter that cannot be hijacked serves the stream
// itself.
func (s *Server) takeOver(w http.ResponseWriter, r *http.Request, spec stream.Spec) {
	eng, err := s.engine()
	if err != nil {
		s.serveResponse(w, r, spec)
		return
	}
	w.Header().Set("Transfer-Encoding", "identity")
	w.WriteHeader(http.StatusOK)
	conn, _, err := http.NewResponseController(w).Hijack()
	if errors.Is(err, http.ErrNotSupported) {
		s.serveResponse(w, r, spec)
		return
	}
	if err != nil {
		spec.Sub.Close()
		spec.Done(stream.Result{Reason: stream.WriteFailed})
		return
	}
	st, err := s.tier.Open(spec)
	if err != nil {
		conn.Close()
		spec.Sub.Close()
		spec.Done(stream.Result{Reason: stream.Shutdown})
		return
	}
	sock, err := eng.Take(conn, st)
	if err != nil {
		s.log.Warn("stream: engine refused the connection", "err", err, "remote", r.RemoteAddr)
		conn.Close()
		st.Refuse()
		return
	}
	s.tier.Start(st, sock)
}

// engine returns the server's engine, started on first use (so a server
// that never takes a stream over runs no poller).
func (s *Server) engine() (*engine.Engine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eng == nil && s.engErr == nil {
		s.eng, s.engErr = engine.New(s.log)
		if s.engErr != nil {
			s.log.Error("stream engine cannot start: streams are served through their ResponseWriter", "err", s.engErr)
		}
	}
	return s.eng, s.engErr
}
