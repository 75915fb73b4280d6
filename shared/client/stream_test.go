package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/sse"
)

// lowJitter makes every backoff delay the lowest of its range, half the
// ceiling, so that tests can predict it exactly.
func lowJitter() float64 { return 0 }

// collect runs s.Events until it ends and returns the data of each event
// and the final error.
func collect(t *testing.T, ctx context.Context, s client.Stream) ([]string, error) {
	t.Helper()
	var data []string
	for ev, err := range s.Events(ctx) {
		if err != nil {
			return data, err
		}
		data = append(data, string(ev.Data))
	}
	t.Fatal("the sequence ended without an error")
	return nil, nil
}

func TestEventsResumeWithLastEventIDAndRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{answer: func(n int, _ *http.Request) *http.Response {
			switch n {
			case 0:
				return stream("retry: 2000\n\nid: 5\ndata: a\n\n")
			case 1:
				return stream("id: 6\ndata: b\n\ndata: no id\n\n")
			}
			return status(404, `{"error":"no such stream"}`)
		}}
		var reconnects []client.Reconnect
		s := client.Stream{URL: "http://x/stocks", Connection: client.Connection{
			HTTPClient: f.client(), Backoff: backoff.Policy{Base: time.Second, Max: time.Minute, Rand: lowJitter},
			OnReconnect: func(r client.Reconnect) { reconnects = append(reconnects, r) },
		}}
		data, err := collect(t, t.Context(), s)
		if want := []string{"a", "b", "no id"}; !slices.Equal(data, want) {
			t.Fatalf("events %q, want %q", data, want)
		}
		var se *client.StatusError
		if !errors.As(err, &se) || se.Code != 404 || se.Message != "no such stream" || se.Temporary() {
			t.Fatalf("final error %v, want the permanent 404 with its message", err)
		}
		if got := []string{f.request(0).header.Get("Last-Event-ID"), f.request(1).header.Get("Last-Event-ID"), f.request(2).header.Get("Last-Event-ID")}; !slices.Equal(got, []string{"", "5", "6"}) {
			t.Errorf("Last-Event-ID of the requests %q, want \"\", 5, 6 (an event without id keeps the last)", got)
		}
		if h := f.request(0).header; h.Get("Accept") != "text/event-stream" || h.Get("Cache-Control") != "no-cache" {
			t.Errorf("request headers %v", h)
		}
		// retry: 2000 is the base: the first reconnect after a stream that
		// delivered waits between 1s and 2s, here 1s.
		if g := f.gaps(); !slices.Equal(g, []time.Duration{time.Second, time.Second}) {
			t.Errorf("waits %v, want 1s, 1s", g)
		}
		if len(reconnects) != 2 || !errors.Is(reconnects[0].Err, io.EOF) || reconnects[1].LastEventID != "6" {
			t.Errorf("reconnects %+v", reconnects)
		}
	})
}

func TestBackoffDoublesToItsCapAndResetsAfterAnEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{answer: func(n int, _ *http.Request) *http.Response {
			switch {
			case n < 6:
				return status(500, "boom")
			case n == 6:
				return stream("id: 1\ndata: a\n\n")
			case n == 7:
				return status(502, "")
			}
			return status(401, `{"error":"invalid bearer token"}`)
		}}
		s := client.Stream{URL: "http://x/", Connection: client.Connection{
			HTTPClient: f.client(), Backoff: backoff.Policy{Base: time.Second, Max: 8 * time.Second, Rand: lowJitter},
		}}
		_, err := collect(t, t.Context(), s)
		if se := new(client.StatusError); !errors.As(err, &se) || se.Code != 401 || !strings.Contains(err.Error(), "invalid bearer token") {
			t.Fatalf("final error %v", err)
		}
		s2 := 500 * time.Millisecond
		want := []time.Duration{s2, 2 * s2, 4 * s2, 8 * s2, 8 * s2, 8 * s2, s2, 2 * s2}
		if g := f.gaps(); !slices.Equal(g, want) {
			t.Errorf("waits %v, want %v", g, want)
		}
	})
}

func TestRetryAfterIsHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		f := &fakeServer{answer: func(n int, _ *http.Request) *http.Response {
			switch n {
			case 0:
				return status(503, `{"error":"too many streams"}`, "Retry-After", "30")
			case 1:
				return status(429, "", "Retry-After", start.Add(time.Hour+time.Minute).UTC().Format(http.TimeFormat))
			case 2:
				return status(503, "", "Retry-After", "soon")
			}
			return status(403, "")
		}}
		s := client.Stream{URL: "http://x/", Connection: client.Connection{
			HTTPClient: f.client(), Backoff: backoff.Policy{Base: time.Second, Max: 8 * time.Second, Rand: lowJitter},
		}}
		collect(t, t.Context(), s)
		// 30s as asked; an HTTP date an hour and a minute ahead is capped at
		// an hour; a malformed Retry-After leaves the backoff.
		want := []time.Duration{30 * time.Second, time.Hour, 2 * time.Second}
		if g := f.gaps(); !slices.Equal(g, want) {
			t.Errorf("waits %v, want %v", g, want)
		}
	})
}

func TestReadTimeoutCutsASilentConnectionOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeServer{answer: func(n int, _ *http.Request) *http.Response {
			switch n {
			case 0:
				return streamBody(&body{rest: "id: 1\ndata: a\n\n"}) // then silence
			case 1:
				return nil // no response at all
			case 2:
				return stream("id: 2\ndata: b\n\n")
			}
			return status(400, "")
		}}
		var errs []error
		s := client.Stream{URL: "http://x/", Connection: client.Connection{
			HTTPClient: f.client(), ReadTimeout: 10 * time.Second,
			Backoff:     backoff.Policy{Base: time.Second, Max: time.Second, Rand: lowJitter},
			OnReconnect: func(r client.Reconnect) { errs = append(errs, r.Err) },
		}}
		var consumed time.Time
		for ev, err := range s.Events(t.Context()) {
			if err != nil {
				break
			}
			if string(ev.Data) == "a" {
				time.Sleep(time.Minute) // a slow consumer is not a silent server
				consumed = time.Now()
			}
		}
		if f.count() != 4 {
			t.Fatalf("%d requests, want 4", f.count())
		}
		if d := f.request(1).at.Sub(consumed); d != 10*time.Second+500*time.Millisecond {
			t.Errorf("reconnected %s after the consumer came back, want the 10s timeout and the 0.5s wait", d)
		}
		if g := f.gaps()[1]; g != 10*time.Second+500*time.Millisecond {
			t.Errorf("a server that never answered was given up after %s, want 10s and the wait", g)
		}
		if len(errs) < 2 || !errors.Is(errs[0], client.ErrReadTimeout) || !errors.Is(errs[1], client.ErrReadTimeout) {
			t.Errorf("reconnect causes %v, want read timeouts", errs)
		}
	})
}

func TestPermanentFailuresEndTheSequenceAtOnce(t *testing.T) {
	cases := map[string]struct {
		resp *http.Response
		want func(error) bool
	}{
		"400 with JSON": {status(400, `{"error":"conflate: unknown parameter"}`), func(err error) bool {
			return strings.HasSuffix(err.Error(), "400 Bad Request: conflate: unknown parameter")
		}},
		"404 text": {status(404, "404 page not found\nmore"), func(err error) bool {
			return strings.HasSuffix(err.Error(), ": 404 page not found")
		}},
		"not a stream": {status(200, "<html>", "Content-Type", "text/html"), func(err error) bool {
			return errors.Is(err, client.ErrNotEventStream) && strings.Contains(err.Error(), "text/html")
		}},
		"event over the limit": {stream("data: " + strings.Repeat("x", 200) + "\n\n"), func(err error) bool {
			return errors.Is(err, sse.ErrTooLong)
		}},
		"invalid URL": {nil, func(err error) bool { return errors.Is(err, client.ErrInvalidURL) }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fakeServer{answer: func(int, *http.Request) *http.Response { return c.resp }}
				s := client.Stream{URL: "http://x/", Connection: client.Connection{HTTPClient: f.client(), MaxEventSize: 100}}
				if c.resp == nil {
					s.URL = "http://x/\x7f"
				}
				_, err := collect(t, t.Context(), s)
				if !c.want(err) {
					t.Errorf("error %v", err)
				}
				if want := map[bool]int{true: 0, false: 1}[c.resp == nil]; f.count() != want {
					t.Errorf("%d requests, want %d: a permanent failure is not retried", f.count(), want)
				}
			})
		})
	}
}

func TestContextEndsTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		f := &fakeServer{answer: func(int, *http.Request) *http.Response { return status(503, "") }}
		s := client.Stream{URL: "http://x/", Connection: client.Connection{HTTPClient: f.client(),
			Backoff: backoff.Policy{Base: time.Hour, Max: time.Hour}}}
		start := time.Now()
		_, err := collect(t, ctx, s)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 10*time.Second || f.count() != 1 {
			t.Fatalf("error %v after %s and %d requests", err, time.Since(start), f.count())
		}
	})
}

func TestBreakClosesTheConnection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &body{rest: "data: a\n\ndata: b\n\n"}
		f := &fakeServer{answer: func(int, *http.Request) *http.Response { return streamBody(b) }}
		for range (client.Stream{URL: "http://x/", Connection: client.Connection{HTTPClient: f.client()}}).Events(t.Context()) {
			break
		}
		if !b.closed || f.count() != 1 {
			t.Fatalf("closed %v after %d requests", b.closed, f.count())
		}
	})
}
