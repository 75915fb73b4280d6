package client_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// fakeServer is an http.RoundTripper that answers each request with what
// its answer function says and records when each request came, so that
// tests in a synctest bubble see the client's timing on the fake clock.
type fakeServer struct {
	answer func(n int, req *http.Request) *http.Response

	mu       sync.Mutex
	requests []request
}

// request is one recorded request.
type request struct {
	at     time.Time
	url    string
	header http.Header
}

func (f *fakeServer) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, request{at: time.Now(), url: req.URL.String(), header: req.Header.Clone()})
	f.mu.Unlock()
	resp := f.answer(n, req)
	if resp == nil { // hang until the client gives up
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	resp.Request = req
	if b, ok := resp.Body.(*body); ok {
		b.ctx = req.Context()
	}
	return resp, nil
}

func (f *fakeServer) client() *http.Client { return &http.Client{Transport: f} }

// gaps returns the time between consecutive requests.
func (f *fakeServer) gaps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(f.requests); i++ {
		out = append(out, f.requests[i].at.Sub(f.requests[i-1].at))
	}
	return out
}

func (f *fakeServer) request(i int) request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[i]
}

func (f *fakeServer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// stream returns a 200 event-stream response whose body is s, then the
// end of the stream.
func stream(s string) *http.Response {
	return streamBody(&body{rest: s, end: true})
}

// streamBody returns a 200 event-stream response with body b.
func streamBody(b *body) *http.Response {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/event-stream; charset=utf-8"}}, Body: b}
}

// status returns a response with the given status, headers and body.
func status(code int, body string, kv ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

// body is a response body that gives rest, then ends (end) or blocks until
// the request's context ends; more can be fed through the feed channel.
type body struct {
	ctx    context.Context
	rest   string
	end    bool
	feed   chan string
	closed bool
}

func (b *body) Read(p []byte) (int, error) {
	for b.rest == "" {
		if b.end {
			return 0, io.EOF
		}
		select {
		case s := <-b.feed:
			b.rest = s
		case <-b.ctx.Done():
			return 0, b.ctx.Err()
		}
	}
	n := copy(p, b.rest)
	b.rest = b.rest[n:]
	return n, nil
}

func (b *body) Close() error { b.closed = true; return nil }
