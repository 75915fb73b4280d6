package http_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/brokertest"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

const token = "s3cret-token"

// testServer is a real server on 127.0.0.1:0 with an in-memory broker.
type testServer struct {
	*stockhttp.Server
	URL    string
	Broker *inmem.Broker
}

// startServer starts a server; cfg.Broker defaults to an in-memory broker
// with history 1000. The server is shut down with the test.
func startServer(t testing.TB, cfg stockhttp.Config, opts inmem.Options) *testServer {
	t.Helper()
	if opts.History == 0 {
		opts.History = 1000
	}
	b := inmem.New(opts)
	if cfg.Broker == nil {
		cfg.Broker = b
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv := stockhttp.New(cfg)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		b.Close()
	})
	return &testServer{Server: srv, URL: "http://" + l.Addr().String(), Broker: b}
}

// client is an HTTP client that sends Accept-Encoding itself only when a
// test says so, and never waits forever.
var client = &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 60 * time.Second}

// testCtx returns a context bounded to 30 seconds, ended with the test.
func testCtx(t testing.TB) context.Context { return brokertest.Ctx(t) }

// publish publishes quotes straight into the broker.
var publish = brokertest.MustPublish

// quotes returns n quotes for symbol priced 100.01, 100.02, ….
var quotes = brokertest.Quotes

// openStream opens GET /stocks with the given query and headers.
func openStream(t testing.TB, url string, header http.Header) (*http.Response, *sse.Reader) {
	t.Helper()
	req, _ := http.NewRequestWithContext(testCtx(t), "GET", url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s %s", url, resp.Status, b)
	}
	return resp, sse.NewReader(bufio.NewReader(resp.Body), 1<<20)
}

// next reads the next event or fails.
func next(t testing.TB, r *sse.Reader) sse.Owned {
	t.Helper()
	ev, err := r.Next()
	if err != nil {
		t.Fatalf("reading stream: %v", err)
	}
	return ev.Own()
}

// readOpening reads the first event and checks that "retry:" came before
// it.
func readOpening(t testing.TB, r *sse.Reader) sse.Owned {
	t.Helper()
	ev := next(t, r)
	if r.Retry() == 0 {
		t.Fatalf("stream did not open with retry:, got %+v first", ev)
	}
	return ev
}

// updates reads n stockUpdate events and returns them decoded.
func updates(t testing.TB, r *sse.Reader, n int) []stock.StockPriceEvent {
	t.Helper()
	out := make([]stock.StockPriceEvent, 0, n)
	for len(out) < n {
		ev := next(t, r)
		if ev.Type != stock.EventUpdate {
			t.Fatalf("got %q event, want stockUpdate", ev.Type)
		}
		var e stock.StockPriceEvent
		if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
			t.Fatalf("bad event data %q: %v", ev.Data, err)
		}
		if e.ID != ev.ID {
			t.Fatalf("frame id %s, data id %s", ev.ID, e.ID)
		}
		out = append(out, e)
	}
	return out
}

func idsOf(evs []stock.StockPriceEvent) string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return strings.Join(ids, ",")
}

// do sends a request and returns status, headers and body.
func do(t testing.TB, method, url string, header http.Header, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(testCtx(t), method, url, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// metric returns the value of a metric from base+"/metrics", named with
// its labels as the exposition writes them.
func metric(t testing.TB, base, name string) string {
	t.Helper()
	_, _, body := do(t, "GET", base+"/metrics", nil, "")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	t.Fatalf("/metrics lacks %s", name)
	return ""
}
