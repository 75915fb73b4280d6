package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests drive the test service as LaunchDarkly's SSE conformance
// suite does, with the behaviours its basic, line-ending, BOM, comment,
// payload, HTTP and reconnection groups check: the suite itself cannot be
// fetched here, so its cases are restated, and `make sse-contract` runs
// the real one where it can be.

// harness plays the suite: SSE endpoints whose connections the test
// writes to, and a callback receiver for what the client reports.
type harness struct {
	t       *testing.T
	svc     *httptest.Server
	stream  *httptest.Server
	conns   chan *conn
	cb      *httptest.Server
	msgs    chan message
	mu      sync.Mutex
	nextSeq int
}

// conn is one connection of the client to the harness's SSE endpoint.
type conn struct {
	req    *http.Request
	writes chan string
	done   chan struct{}
}

// message is a callback of the service.
type message struct {
	Kind  string `json:"kind"`
	Error string `json:"error"`
	Event struct {
		Type, Data, ID string
	} `json:"event"`
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, conns: make(chan *conn, 10), msgs: make(chan message, 1000)}
	h.svc = httptest.NewServer(newService(func() {}))
	h.stream = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &conn{req: r.Clone(r.Context()), writes: make(chan string, 100), done: make(chan struct{})}
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		h.conns <- c
		for {
			select {
			case s := <-c.writes:
				io.WriteString(w, s)
				w.(http.Flusher).Flush()
			case <-c.done:
				return
			case <-r.Context().Done():
				return
			}
		}
	}))
	h.cb = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m message
		json.NewDecoder(r.Body).Decode(&m)
		h.mu.Lock()
		h.nextSeq++
		if want := fmt.Sprintf("/cb/%d", h.nextSeq); r.URL.Path != want {
			t.Errorf("callback %s, want %s: callbacks are numbered in order", r.URL.Path, want)
		}
		h.mu.Unlock()
		h.msgs <- m
	}))
	t.Cleanup(func() { h.svc.Close(); h.stream.CloseClientConnections(); h.stream.Close(); h.cb.Close() })
	return h
}

// create asks the service for a client with the given parameters and
// returns its first connection.
func (h *harness) create(params map[string]any) (*conn, string) {
	h.t.Helper()
	p := map[string]any{"streamUrl": h.stream.URL + "/s", "callbackUrl": h.cb.URL + "/cb", "initialDelayMs": 0}
	for k, v := range params {
		p[k] = v
	}
	b, _ := json.Marshal(p)
	resp, err := http.Post(h.svc.URL+"/", "application/json", bytes.NewReader(b))
	if err != nil || resp.StatusCode/100 != 2 || resp.Header.Get("Location") == "" {
		h.t.Fatalf("create: %v %v", resp, err)
	}
	resp.Body.Close()
	loc := h.svc.URL + resp.Header.Get("Location")
	h.t.Cleanup(func() {
		req, _ := http.NewRequest(http.MethodDelete, loc, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	})
	return h.connection(), loc
}

// connection waits for the client's next connection.
func (h *harness) connection() *conn {
	h.t.Helper()
	select {
	case c := <-h.conns:
		return c
	case <-time.After(10 * time.Second):
		h.t.Fatal("the client did not connect")
	}
	return nil
}

// next waits for the next callback.
func (h *harness) next() message {
	h.t.Helper()
	select {
	case m := <-h.msgs:
		return m
	case <-time.After(10 * time.Second):
		h.t.Fatal("no callback")
	}
	return message{}
}

// events waits for n event callbacks, skipping none.
func (h *harness) events(n int) []string {
	h.t.Helper()
	var out []string
	for len(out) < n {
		m := h.next()
		if m.Kind != "event" {
			h.t.Fatalf("got %+v, want an event", m)
		}
		out = append(out, fmt.Sprintf("%s|%s|%s", m.Event.Type, m.Event.ID, m.Event.Data))
	}
	return out
}

func TestParsing(t *testing.T) {
	many, manyWant := "", []string{}
	for i := range 100 {
		many += fmt.Sprintf("data: message %d\n\n", i)
		manyWant = append(manyWant, fmt.Sprintf("message||message %d", i))
	}
	cases := []struct {
		name   string
		chunks []string
		want   []string
	}{
		{"one-line message in one chunk", []string{"data: Hello\n\n"}, []string{"message||Hello"}},
		{"one-line message in two chunks", []string{"data: Hel", "lo\n\n"}, []string{"message||Hello"}},
		{"two one-line messages in one chunk", []string{"data: Hello\n\ndata: World\n\n"}, []string{"message||Hello", "message||World"}},
		{"one two-line message", []string{"data: Hello\ndata:World\n\n"}, []string{"message||Hello\nWorld"}},
		{"empty data", []string{"data:\n\n"}, []string{"message||"}},
		{"event with type", []string{"event: greeting\ndata: Hello\n\n"}, []string{"greeting||Hello"}},
		{"event with ID", []string{"id: abc\ndata: Hello\n\n"}, []string{"message|abc|Hello"}},
		{"event with type and ID", []string{"event: greeting\nid: abc\ndata: Hello\n\n"}, []string{"greeting|abc|Hello"}},
		{"ID with a null is ignored", []string{"id: a\x00bc\ndata: Hello\n\n"}, []string{"message||Hello"}},
		{"last ID persists", []string{"id: abc\ndata: first\n\n", "data: second\n\n"}, []string{"message|abc|first", "message|abc|second"}},
		{"last ID reset by an empty value", []string{"id: abc\ndata: first\n\n", "id: \ndata: second\n\n"}, []string{"message|abc|first", "message||second"}},
		{"fields in reverse order", []string{"data: Hello\nid: abc\nevent: greeting\n\n"}, []string{"greeting|abc|Hello"}},
		{"unknown field ignored", []string{"event: greeting\ncolor: blue\ndata: Hello\n\n"}, []string{"greeting||Hello"}},
		{"fields without leading space", []string{"event:greeting\ndata:Hello\n\n"}, []string{"greeting||Hello"}},
		{"fields with extra leading space", []string{"event:  greeting\ndata:  Hello\n\n"}, []string{" greeting|| Hello"}},
		{"field with no colon", []string{"data\n\ndata\ndata\n\n"}, []string{"message||", "message||\n"}},
		{"multi-byte characters", []string{"data: €豆腐\n\n"}, []string{"message||€豆腐"}},
		{"multi-byte characters in single-byte pieces", strings.Split("data: €豆腐\n\n", ""), []string{"message||€豆腐"}},
		{"many messages in rapid succession", []string{many}, manyWant},
		{"CR line ends", []string{"data: a\rdata: b\r\r"}, []string{"message||a\nb"}},
		{"CRLF line ends", []string{"data: a\r\ndata: b\r\n\r\n"}, []string{"message||a\nb"}},
		{"CRLF split between chunks", []string{"data: a\r", "\ndata: b\r", "\n\r", "\n"}, []string{"message||a\nb"}},
		{"mixed line ends", []string{"data: a\rdata: b\ndata: c\r\n\n"}, []string{"message||a\nb\nc"}},
		{"leading BOM is skipped", []string{"\xef\xbb\xbfdata: Hello\n\n"}, []string{"message||Hello"}},
		{"a later BOM is not skipped", []string{"data: Hello\n\n\xef\xbb\xbfdata: x\n\ndata: end\n\n"}, []string{"message||Hello", "message||end"}},
		{"comments are not events", []string{": hello\n\n:\n\ndata: Hello\n:x\n\n: y\ndata: end\n\n"}, []string{"message||Hello", "message||end"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			s, _ := h.create(nil)
			for _, chunk := range c.chunks {
				s.writes <- chunk
			}
			got := h.events(len(c.want))
			if strings.Join(got, "¶") != strings.Join(c.want, "¶") {
				t.Fatalf("events %q, want %q", got, c.want)
			}
		})
	}
}

// chunked splits s into pieces of n bytes.
func chunked(s string, n int) []string {
	var out []string
	for len(s) > n {
		out, s = append(out, s[:n]), s[n:]
	}
	return append(out, s)
}

func TestLineEnds(t *testing.T) {
	for name, end := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		inputs := []struct {
			in   string
			want []string
		}{
			{"data: event 1" + end + end, []string{"message||event 1"}},
			{"data: event 1" + end + end + "data: event 2 line 1" + end + "data: event 2 line 2" + end + end, []string{"message||event 1", "message||event 2 line 1\nevent 2 line 2"}},
			{"data:" + end + "data: line2" + end + "data: line3" + end + end, []string{"message||\nline2\nline3"}},
			{"data: line1" + end + "data:" + end + "data: line3" + end + end, []string{"message||line1\n\nline3"}},
			{"data: event 1" + end + end + end + end + "data: event 2" + end + end, []string{"message||event 1", "message||event 2"}},
		}
		for i, in := range inputs {
			for _, size := range []int{len(in.in), 1, 2} {
				t.Run(fmt.Sprintf("%s %d in chunks of %d", name, i, size), func(t *testing.T) {
					h := newHarness(t)
					s, _ := h.create(nil)
					for _, c := range chunked(in.in, size) {
						s.writes <- c
					}
					if got := h.events(len(in.want)); strings.Join(got, "¶") != strings.Join(in.want, "¶") {
						t.Fatalf("events %q, want %q", got, in.want)
					}
				})
			}
		}
	}
}

func TestPayloadSizes(t *testing.T) {
	h := newHarness(t)
	s, _ := h.create(nil)
	for _, size := range []int{1, 128, 512, 1023, 1024, 1025, 2048, 3999, 4094, 4096, 4098, 6144, 8189, 8192, 8195, 12288, 16384, 32768, 65536, 262144, 1048576} {
		data := strings.Repeat("x", size)
		s.writes <- "data: " + data + "\n\n"
		if got := h.events(1)[0]; got != "message||"+data {
			t.Fatalf("a payload of %d bytes came back as %d bytes", size, len(got)-len("message||"))
		}
	}
}

func TestHTTPBehaviour(t *testing.T) {
	h := newHarness(t)
	s, _ := h.create(map[string]any{"headers": map[string]string{"header-name-1": "value-1", "header-name-2": "value-2"}})
	hd := s.req.Header
	if s.req.Method != "GET" || hd.Get("Accept") != "text/event-stream" || hd.Get("Cache-Control") != "no-cache" || hd.Values("Last-Event-Id") != nil ||
		hd.Get("Header-Name-1") != "value-1" || hd.Get("Header-Name-2") != "value-2" {
		t.Fatalf("request %s %v", s.req.Method, hd)
	}
	h2 := newHarness(t)
	s2, _ := h2.create(map[string]any{"lastEventId": "abc"})
	if got := s2.req.Header.Get("Last-Event-Id"); got != "abc" {
		t.Fatalf("initial Last-Event-Id %q", got)
	}
	resp, err := http.Get(h.svc.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var status struct{ Capabilities []string }
	json.NewDecoder(resp.Body).Decode(&status)
	if strings.Join(status.Capabilities, ",") != "headers,last-event-id,read-timeout,restart,payload-size-stress-testable" {
		t.Fatalf("capabilities %v", status.Capabilities)
	}
}

func TestReconnection(t *testing.T) {
	t.Run("sends the ID of the last event", func(t *testing.T) {
		h := newHarness(t)
		s, _ := h.create(nil)
		s.writes <- "id: abc\ndata: Hello\n\ndata: World\n\n"
		h.events(2)
		close(s.done)
		if h.next().Kind != "error" {
			t.Fatal("a dropped connection is reported as an error")
		}
		if got := h.connection().req.Header.Get("Last-Event-Id"); got != "abc" {
			t.Fatalf("reconnected with Last-Event-Id %q, want abc", got)
		}
	})
	t.Run("restart", func(t *testing.T) {
		h := newHarness(t)
		s, loc := h.create(nil)
		s.writes <- "data: Hello\n\n"
		h.events(1)
		resp, err := http.Post(loc, "application/json", strings.NewReader(`{"command":"restart"}`))
		if err != nil || resp.StatusCode/100 != 2 {
			t.Fatalf("restart: %v %v", resp, err)
		}
		s2 := h.connection()
		s2.writes <- "data: Thanks\n\n" // next: no error between, the restart was asked for
		if got := h.events(1); got[0] != "message||Thanks" {
			t.Fatalf("after the restart: %q", got)
		}
	})
	t.Run("read timeout", func(t *testing.T) {
		h := newHarness(t)
		s, _ := h.create(map[string]any{"readTimeoutMs": 500})
		s.writes <- "data: Hello\n\n"
		h.events(1)
		if m := h.next(); m.Kind != "error" || !strings.Contains(m.Error, "read timeout") {
			t.Fatalf("got %+v, want a read timeout", m)
		}
		h.connection()
	})
	t.Run("unknown command", func(t *testing.T) {
		h := newHarness(t)
		_, loc := h.create(nil)
		resp, err := http.Post(loc, "application/json", strings.NewReader(`{"command":"listen"}`))
		if err != nil || resp.StatusCode != 400 {
			t.Fatalf("listen: %v %v", resp, err)
		}
		resp, err = http.Post(h.svc.URL+"/streams/99", "application/json", strings.NewReader(`{"command":"restart"}`))
		if err != nil || resp.StatusCode != 404 {
			t.Fatalf("no such stream: %v %v", resp, err)
		}
	})
}
