package http

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// logRequests logs one line per request when it ends: method, path, status,
// bytes and duration. A stream logs its own line when it ends (see
// handleStream), on whichever transport it ran.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.streamed {
			return
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		s.logRequest(lineOf(r), rec.status, rec.bytes, time.Since(start))
	})
}

// requestLine is what the log line of a request says of it: a stream
// keeps this, not its request, until it ends.
type requestLine struct {
	method, path, remote string
}

func lineOf(r *http.Request) requestLine {
	return requestLine{method: r.Method, path: r.URL.Path, remote: r.RemoteAddr}
}

// logRequest logs the line of one request.
func (s *Server) logRequest(l requestLine, status int, bytes int64, took time.Duration) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(context.Background(), level, "request",
		slog.String("method", l.method),
		slog.String("path", l.path),
		slog.Int("status", status),
		slog.Int64("bytes", bytes),
		slog.Duration("duration", took),
		slog.String("remote", l.remote))
}

// statusRecorder remembers the status and size of a response. Unwrap lets
// http.ResponseController reach the connection for Flush and deadlines.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	bytes    int64
	streamed bool // the response is a stream, which logs itself
}

// markStreamed tells logRequests that the response is a stream.
func markStreamed(w http.ResponseWriter) {
	if rec, ok := w.(*statusRecorder); ok {
		rec.streamed = true
	}
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Hijack takes over the connection, as a stream does on HTTP/1.1.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(r.ResponseWriter).Hijack()
}
