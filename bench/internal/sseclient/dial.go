// Package sseclient opens the load generator's SSE connections: one raw
// HTTP/1.1 connection per stream from a chosen loopback source address, its
// response read with the project's SSE reader (shared/sse), and the
// sequence number each benchmark event carries as its price.
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
	req  *http.Request
	body io.ReadCloser
}

// Source returns the i-th loopback source address of n (127.0.0.2 …), so
// that many connections to one server do not exhaust the ephemeral ports
// of a single source address.
func Source(i, n int) *net.TCPAddr {
	k := 2 + i%n
	return &net.TCPAddr{IP: net.IPv4(127, 0, byte(k/250), byte(1+k%250))}
}

// Dial connects to target from the local address src and sends the GET
// request with the given extra headers. The response is read by ReadHeader,
// so that servers which send their headers only with the first event can be
// benchmarked too.
func Dial(ctx context.Context, target *url.URL, src *net.TCPAddr, header http.Header, timeout time.Duration) (*Stream, error) {
	d := net.Dialer{LocalAddr: src, Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", target.Host)
	if err != nil {
		return nil, err
	}
	req := &http.Request{Method: http.MethodGet, URL: target, Host: target.Host, Header: header, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	conn.SetWriteDeadline(time.Now().Add(timeout))
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetWriteDeadline(time.Time{})
	return &Stream{conn: conn, req: req}, nil
}

// ReadHeader reads the response headers and fails unless the status is 200.
func (s *Stream) ReadHeader() error {
	resp, err := http.ReadResponse(bufio.NewReaderSize(s.conn, 1024), s.req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return fmt.Errorf("GET %s: status %s", s.req.URL, resp.Status)
	}
	s.body = resp.Body
	return nil
}

// Body returns the de-chunked response body, after ReadHeader.
func (s *Stream) Body() io.Reader { return s.body }

// Close closes the connection.
func (s *Stream) Close() error { return s.conn.Close() }
