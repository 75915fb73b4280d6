package http_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/stock"
)

// The stream's contract is held on every transport and broker by package
// conformance; these are the HTTP layer's own rules around it: limits,
// slow or oversized requests, query values, a broker that cannot serve.

func TestStreamLimits(t *testing.T) {
	s := startServer(t, stockhttp.Config{MaxStreamsPerIP: 2}, inmem.Options{})
	openStream(t, s.URL+"/stocks", nil)
	openStream(t, s.URL+"/stocks", nil)
	status, h, body := do(t, "GET", s.URL+"/stocks", nil, "")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, `"error"`) {
		t.Fatalf("third stream from one address: %d %q %s", status, h.Get("Retry-After"), body)
	}
	g := startServer(t, stockhttp.Config{MaxStreams: 1}, inmem.Options{})
	openStream(t, g.URL+"/stocks", nil)
	if status, h, _ := do(t, "GET", g.URL+"/stocks", nil, ""); status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Fatalf("stream over the global limit: %d", status)
	}
}

func TestSlowlorisIsCut(t *testing.T) {
	s := startServer(t, stockhttp.Config{ReadHeaderTimeout: 300 * time.Millisecond}, inmem.Options{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers that never end.
	if _, err := conn.Write([]byte("GET /stocks HTTP/1.1\r\nHost: x\r\nX-Slow: 1")); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	_, err = io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("a client that never finished its headers was still connected after 10s")
	}
	t.Logf("cut after %s", time.Since(start).Round(time.Millisecond))
}

func TestOversizedHeadersRefused(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{})
	status, _, _ := do(t, "GET", s.URL+"/stocks", http.Header{"X-Big": {strings.Repeat("a", 64<<10)}}, "")
	if status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("64 KiB of headers: %d, want 431", status)
	}
}

func TestConflateValuesAccepted(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{})
	publish(t, s.Broker, quotes("AAPL", 1))
	for _, v := range []string{"10ms", "250ms", "1.5s", "60s", "1m", "10.9ms"} {
		_, r := openStream(t, s.URL+"/stocks?conflate="+v, nil)
		if ev := readOpening(t, r); ev.Type != stock.EventSnapshot {
			t.Fatalf("conflate=%s opened with %+v, want the snapshot", v, ev)
		}
	}
}

// failingBroker cannot subscribe, as a broker whose store is down.
type failingBroker struct{ backend.Broker }

func (failingBroker) Subscribe(context.Context, backend.SubscribeRequest) (backend.Opening, backend.Subscription, error) {
	return backend.Opening{}, nil, errors.Join(backend.ErrUnavailable, errors.New("connection refused"))
}

func TestUnavailableBrokerTellsClientToRetry(t *testing.T) {
	s := startServer(t, stockhttp.Config{Broker: failingBroker{}, Retry: 2 * time.Second}, inmem.Options{})
	status, h, body := do(t, "GET", s.URL+"/stocks", nil, "")
	// EventSource never reconnects after a 5xx; an ended 200 stream with
	// retry: makes it come back.
	if status != 200 || h.Get("Content-Type") != "text/event-stream; charset=utf-8" || !strings.HasPrefix(body, "retry: 2000\n\n") {
		t.Fatalf("got %d %q %q", status, h.Get("Content-Type"), body)
	}
}
