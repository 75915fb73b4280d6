// Package sseclient opens the load generator's SSE connections: one
// connection per stream from a chosen loopback source address, either a raw
// HTTP/1.1 request on a plain socket or an HTTP/2 request over TLS on a
// connection of its own (as many browsers would open), its response read
// with the project's SSE reader (shared/sse), and the sequence number each
// benchmark event carries as its price.
package sseclient

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

// Stream is one open SSE response.
type Stream struct {
	conn   net.Conn // a raw HTTP/1.1 stream's connection; nil over HTTP/2
	req    *http.Request
	body   io.ReadCloser
	cancel context.CancelFunc // ends an HTTP/2 stream's request
	client *http.Client       // an HTTP/2 stream's own client, for its connection
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

// DialH2 opens target, an https URL, over HTTP/2 on a TLS connection of its
// own from the local address src, trusting roots, and waits for the
// response headers; ReadHeader then checks them. A response that did not
// come over HTTP/2 is an error: the scenario measures HTTP/2.
func DialH2(ctx context.Context, target *url.URL, src *net.TCPAddr, roots *x509.CertPool, header http.Header, timeout time.Duration) (*Stream, error) {
	d := &net.Dialer{LocalAddr: src, Timeout: timeout}
	client := &http.Client{Transport: &http.Transport{
		DialContext:         d.DialContext,
		TLSClientConfig:     &tls.Config{RootCAs: roots},
		ForceAttemptHTTP2:   true,
		DisableCompression:  true,
		TLSHandshakeTimeout: timeout,
	}}
	sctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, target.String(), nil)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header = header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	s := &Stream{req: req, body: resp.Body, cancel: cancel, client: client}
	if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 {
		s.Close()
		return nil, fmt.Errorf("GET %s: %s over %s, want 200 over HTTP/2", target, resp.Status, resp.Proto)
	}
	return s, nil
}

// LoadRoots reads the PEM certificates of file into a pool.
func LoadRoots(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New(file + ": no PEM certificate")
	}
	return pool, nil
}

// ReadHeader reads the response headers of a raw HTTP/1.1 stream and fails
// unless the status is 200; an HTTP/2 stream's were read by DialH2.
func (s *Stream) ReadHeader() error {
	if s.conn == nil {
		return nil
	}
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

// Close closes the stream and its connection.
func (s *Stream) Close() error {
	if s.conn != nil {
		return s.conn.Close()
	}
	s.cancel()
	err := s.body.Close()
	s.client.CloseIdleConnections()
	return err
}
