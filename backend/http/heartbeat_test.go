package http_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/backend"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/stock"
)

// streamWriter is a ResponseWriter with the Flush and deadline methods
// http.ResponseController looks for, recording what the handler wrote.
type streamWriter struct {
	mu      sync.Mutex
	header  http.Header
	buf     bytes.Buffer
	flushes int
}

func (w *streamWriter) Header() http.Header { return w.header }
func (w *streamWriter) WriteHeader(int)     {}
func (w *streamWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(b)
}
func (w *streamWriter) Flush() {
	w.mu.Lock()
	w.flushes++
	w.mu.Unlock()
}
func (w *streamWriter) SetWriteDeadline(time.Time) error { return nil }
func (w *streamWriter) SetReadDeadline(time.Time) error  { return nil }

// take returns and clears what was written so far.
func (w *streamWriter) take() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.buf.String()
	w.buf.Reset()
	return s
}

// serveStream runs the stream handler for target (a path and query) with
// header in the bubble until cancel is called.
func serveStream(t *testing.T, srv *stockhttp.Server, target string, header http.Header) (*streamWriter, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, "GET", target, nil)
	maps.Copy(req.Header, header)
	w := &streamWriter{header: http.Header{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Handler().ServeHTTP(w, req)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return w, cancel
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestHeartbeatExactlyAfterSilence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := inmem.New(inmem.Options{History: 10})
		defer b.Close()
		srv := stockhttp.New(stockhttp.Config{Broker: b, Heartbeat: 15 * time.Second, Logger: quietLogger()})
		w, _ := serveStream(t, srv, "/stocks", nil)
		synctest.Wait()
		if got := w.take(); !strings.HasPrefix(got, "retry: 3000\n\n") || !strings.Contains(got, "event: snapshot") {
			t.Fatalf("opening %q", got)
		}
		expectHeartbeatAfter(t, w, 15*time.Second)
		// An event resets the silence: the next heartbeat is 15 s after it.
		time.Sleep(10 * time.Second)
		if _, err := b.Publish(context.Background(), backend.PublishRequest{Quotes: []stock.Quote{{Symbol: "AAPL", Price: stock.PriceFromCents(1)}}}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if got := w.take(); !strings.Contains(got, "event: stockUpdate") {
			t.Fatalf("event not written: %q", got)
		}
		expectHeartbeatAfter(t, w, 15*time.Second)
	})
}

// expectHeartbeatAfter checks, in a synctest bubble, that nothing is
// written for d less a millisecond of silence and one heartbeat at d.
func expectHeartbeatAfter(t *testing.T, w *streamWriter, d time.Duration) {
	t.Helper()
	time.Sleep(d - time.Millisecond)
	synctest.Wait()
	if got := w.take(); got != "" {
		t.Fatalf("wrote %q before %s of silence", got, d)
	}
	time.Sleep(time.Millisecond)
	synctest.Wait()
	if got := w.take(); got != ":\n\n" {
		t.Fatalf("after %s of silence wrote %q, want one heartbeat comment", d, got)
	}
}

func TestBurstIsOneFlush(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := inmem.New(inmem.Options{History: 1000})
		defer b.Close()
		srv := stockhttp.New(stockhttp.Config{Broker: b, Logger: quietLogger()})
		w, _ := serveStream(t, srv, "/stocks", nil)
		synctest.Wait()
		w.take()
		before := w.flushes
		qs := make([]stock.Quote, 200)
		for i := range qs {
			qs[i] = stock.Quote{Symbol: "AAPL", Price: stock.PriceFromCents(int64(i + 1))}
		}
		b.Publish(context.Background(), backend.PublishRequest{Quotes: qs})
		synctest.Wait()
		if n := strings.Count(w.take(), "event: stockUpdate"); n != 200 {
			t.Fatalf("wrote %d events, want 200", n)
		}
		if w.flushes-before != 1 {
			t.Fatalf("a burst of 200 events took %d flushes, want 1", w.flushes-before)
		}
	})
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
