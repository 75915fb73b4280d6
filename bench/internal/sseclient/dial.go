package sseclient

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Stream is one open SSE response.
type Stream struct {
	conn net.Conn
	body io.ReadCloser
}

// Source returns the i-th loopback source address of n (127.0.0.2 …), so
// that many connections to one server do not exhaust the ephemeral ports
// of a single source address.
func Source(i, n int) *net.TCPAddr {
	k := 2 + i%n
	return &net.TCPAddr{IP: net.IPv4(127, 0, byte(k/250), byte(1+k%250))}
}

// Open dials target from the local address src, sends GET with the given
// extra headers and returns the stream once the response headers arrive
// with status 200.
func Open(ctx context.Context, target *url.URL, src *net.TCPAddr, header http.Header, timeout time.Duration) (*Stream, error) {
	d := net.Dialer{LocalAddr: src, Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", target.Host)
	if err != nil {
		return nil, err
	}
	req := &http.Request{Method: http.MethodGet, URL: target, Host: target.Host, Header: header, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	conn.SetDeadline(time.Now().Add(timeout))
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 1024), req)
	if err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		conn.Close()
		return nil, fmt.Errorf("GET %s: status %s", target, resp.Status)
	}
	return &Stream{conn: conn, body: resp.Body}, nil
}

// Body returns the de-chunked response body.
func (s *Stream) Body() io.Reader { return s.body }

// Close closes the connection.
func (s *Stream) Close() error { return s.conn.Close() }
