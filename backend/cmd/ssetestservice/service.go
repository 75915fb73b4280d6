package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/client"
)

// capabilities are the suite's optional features the client has ("restart"
// is the adapter cutting the connection, which the client then resumes as
// after any drop; payloads up to the client's 8 MiB limit). Not
// declared: "comments" (the client counts comments but does not hand
// them out), "post" and "report" (a stream is a GET), and
// "event-type-listeners" (every event reaches the loop).
var capabilities = []string{"headers", "last-event-id", "read-timeout", "restart", "payload-size-stress-testable"}

// createParams is the suite's request to start a client.
type createParams struct {
	StreamURL      string            `json:"streamUrl"`
	CallbackURL    string            `json:"callbackUrl"`
	Tag            string            `json:"tag"`
	InitialDelayMS *int              `json:"initialDelayMs"`
	ReadTimeoutMS  *int              `json:"readTimeoutMs"`
	LastEventID    string            `json:"lastEventId"`
	Headers        map[string]string `json:"headers"`
	Method         string            `json:"method"`
	Body           string            `json:"body"`
}

// service is the test service: it creates, commands and closes clients.
type service struct {
	quit func()

	mu      sync.Mutex
	next    int
	streams map[string]*stream
}

func newService(quit func()) *service {
	return &service{quit: quit, streams: map[string]*stream{}}
}

func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"capabilities": capabilities})
	case r.URL.Path == "/" && r.Method == http.MethodDelete:
		s.quit()
	case r.URL.Path == "/" && r.Method == http.MethodPost:
		s.create(w, r)
	case strings.HasPrefix(r.URL.Path, "/streams/"):
		s.command(w, r)
	default:
		http.NotFound(w, r)
	}
}

// create starts a client for the stream the suite names.
func (s *service) create(w http.ResponseWriter, r *http.Request) {
	var p createParams
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.StreamURL == "" || p.CallbackURL == "" {
		http.Error(w, "streamUrl and callbackUrl are required", http.StatusBadRequest)
		return
	}
	if p.Method != "" && p.Method != http.MethodGet || p.Body != "" {
		http.Error(w, "only GET streams: the post and report capabilities are not declared", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.next++
	id := strconv.Itoa(s.next)
	st := startStream(p)
	s.streams[id] = st
	s.mu.Unlock()
	w.Header().Set("Location", "/streams/"+id)
	w.WriteHeader(http.StatusCreated)
}

// command runs a command on a client, or closes it.
func (s *service) command(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/streams/")
	s.mu.Lock()
	st := s.streams[id]
	if r.Method == http.MethodDelete {
		delete(s.streams, id)
	}
	s.mu.Unlock()
	if st == nil {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodDelete:
		st.close()
	case http.MethodPost:
		var c struct {
			Command string `json:"command"`
		}
		if json.NewDecoder(r.Body).Decode(&c) != nil || c.Command != "restart" {
			http.Error(w, "unknown command", http.StatusBadRequest)
			return
		}
		st.restarting.Store(true)
		st.conns.cut()
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *service) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.streams {
		st.close()
	}
}

// stream is one client and the callbacks it sends.
type stream struct {
	cancel context.CancelFunc
	done   chan struct{}
	conns  *cuttable
	cb     *callbacks
	// restarting marks a connection cut by the restart command: the
	// reconnect it causes is asked for, not an error to report.
	restarting atomic.Bool
}

// startStream runs a client.Stream for p, reporting each event and each
// reconnect to the suite's callback URL.
func startStream(p createParams) *stream {
	ctx, cancel := context.WithCancel(context.Background())
	st := &stream{cancel: cancel, done: make(chan struct{}), conns: &cuttable{}, cb: &callbacks{url: p.CallbackURL}}
	cs := client.Stream{URL: p.StreamURL, LastEventID: p.LastEventID, Connection: client.Connection{
		HTTPClient: &http.Client{Transport: st.conns},
		Header:     http.Header{},
		Backoff:    backoff.Policy{Base: time.Second, Max: 30 * time.Second},
		OnReconnect: func(r client.Reconnect) {
			if !st.restarting.Swap(false) {
				st.cb.sendError(r.Err)
			}
		},
	}}
	for k, v := range p.Headers {
		cs.Header.Set(k, v)
	}
	if p.InitialDelayMS != nil {
		cs.Backoff.Base = time.Duration(*p.InitialDelayMS) * time.Millisecond
	}
	if p.ReadTimeoutMS != nil {
		cs.ReadTimeout = time.Duration(*p.ReadTimeoutMS) * time.Millisecond
	}
	go func() {
		defer close(st.done)
		for ev, err := range cs.Events(ctx) {
			if err != nil {
				if ctx.Err() == nil {
					st.cb.sendError(err)
				}
				return
			}
			typ := string(ev.Type)
			if typ == "" {
				typ = "message"
			}
			st.cb.send(map[string]any{"kind": "event", "event": map[string]string{"type": typ, "data": string(ev.Data), "id": string(ev.ID)}})
		}
	}()
	return st
}

func (st *stream) close() {
	st.cancel()
	<-st.done
}

// callbacks posts messages to the suite in order, numbered from 1.
type callbacks struct {
	url string
	n   int
}

// sendError reports an error: in "error", as the suite reads it, and in
// "comment", as its specification says.
func (c *callbacks) sendError(err error) {
	c.send(map[string]any{"kind": "error", "error": err.Error(), "comment": err.Error()})
}

func (c *callbacks) send(msg any) {
	c.n++
	b, _ := json.Marshal(msg)
	resp, err := http.Post(fmt.Sprintf("%s/%d", c.url, c.n), "application/json", bytes.NewReader(b))
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// cuttable is a transport whose open responses can be cut, as the
// restart command asks: the client sees a dropped connection and
// reconnects as it would after any drop.
type cuttable struct {
	mu    sync.Mutex
	open  map[*cutBody]bool
	inner http.Transport
}

func (c *cuttable) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.inner.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b := &cutBody{ReadCloser: resp.Body, owner: c}
	c.mu.Lock()
	if c.open == nil {
		c.open = map[*cutBody]bool{}
	}
	c.open[b] = true
	c.mu.Unlock()
	resp.Body = b
	return resp, nil
}

// cut closes every open response.
func (c *cuttable) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for b := range c.open {
		b.ReadCloser.Close()
	}
}

type cutBody struct {
	io.ReadCloser
	owner *cuttable
}

func (b *cutBody) Close() error {
	b.owner.mu.Lock()
	delete(b.owner.open, b)
	b.owner.mu.Unlock()
	return b.ReadCloser.Close()
}
