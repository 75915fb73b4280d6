package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/inmem"
	"github.com/stockstream/stockstream/shared/stock"
)

func TestStreamHeadersNeverCompressed(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{})
	resp, _ := openStream(t, s.URL+"/stocks", http.Header{"Accept-Encoding": {"gzip, deflate, br"}})
	want := map[string]string{
		"Content-Type":      "text/event-stream; charset=utf-8",
		"Cache-Control":     "no-store",
		"X-Accel-Buffering": "no",
		"Content-Encoding":  "",
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
}

func TestFreshConnectGetsRetryThenSnapshotThenLive(t *testing.T) {
	s := startServer(t, stockhttp.Config{Retry: 1500 * time.Millisecond}, inmem.Options{})
	before := publish(t, s.Broker, append(quotes("MSFT", 2), quotes("AAPL", 1)...))
	_, r := openStream(t, s.URL+"/stocks", nil)
	snap := next(t, r)
	if r.Retry() != 1500*time.Millisecond {
		t.Fatalf("retry %v before the first event, want retry: 1500", r.Retry())
	}
	var evs []stock.StockPriceEvent
	if err := json.Unmarshal([]byte(snap.Data), &evs); err != nil {
		t.Fatalf("snapshot data %q: %v", snap.Data, err)
	}
	if snap.Type != "snapshot" || snap.ID != before[2].ID || idsOf(evs) != before[2].ID+","+before[1].ID {
		t.Fatalf("snapshot %+v, want id %s with AAPL %s and MSFT %s", snap, before[2].ID, before[2].ID, before[1].ID)
	}
	live := publish(t, s.Broker, quotes("GOOG", 3))
	if got := updates(t, r, 3); idsOf(got) != idsOf(live) {
		t.Fatalf("live %s, want %s", idsOf(got), idsOf(live))
	}
}

func TestResumeExactlyAfterByHeaderAndQuery(t *testing.T) {
	cases := map[string]struct {
		query  string
		header http.Header
		after  int
	}{
		"header":      {"", http.Header{"Last-Event-Id": {"1005"}}, 4},
		"query":       {"?lastEventId=1007", nil, 6},
		"header wins": {"?lastEventId=1002", http.Header{"Last-Event-Id": {"1008"}}, 7},
		"last one":    {"?lastEventId=1010", nil, 9},
		"first one":   {"?lastEventId=1001", nil, 0},
		"before all":  {"?lastEventId=1000", nil, -1},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			// A clock at 1970 numbers events 1001, 1002, … (ids follow the
			// clock in microseconds, and the head otherwise).
			epoch := func() time.Time { return time.Unix(0, 0) }
			s := startServer(t, stockhttp.Config{}, inmem.Options{FirstSeq: 1000, Now: epoch})
			evs := publish(t, s.Broker, quotes("AAPL", 10))
			if evs[0].ID != "1001" {
				t.Fatalf("first id %s, want 1001", evs[0].ID)
			}
			_, r := openStream(t, s.URL+"/stocks"+c.query, c.header)
			// The replay is exactly the events after the id; a live
			// marker published now must come right after it.
			marker := publish(t, s.Broker, quotes("ZZZ", 1))
			want := idsOf(append(append([]stock.StockPriceEvent{}, evs[c.after+1:]...), marker...))
			got := updates(t, r, len(evs)-c.after)
			if idsOf(got) != want {
				t.Fatalf("resume %s %v: got %s, want %s", c.query, c.header, idsOf(got), want)
			}
			for i, e := range got[:len(got)-1] {
				if e.Price != evs[c.after+1+i].Price {
					t.Fatalf("replayed price %s, published %s", e.Price, evs[c.after+1+i].Price)
				}
			}
		})
	}
}

func TestSnapshotOnUnknownGarbageAndEvictedIDs(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{History: 5})
	first := publish(t, s.Broker, quotes("AAPL", 1))
	evs := publish(t, s.Broker, quotes("AAPL", 20))
	head := evs[len(evs)-1].ID
	for name, id := range map[string]string{
		"evicted": first[0].ID,
		"future":  "99999999999999999",
		"garbage": "not-an-id",
		"empty":   "",
		"huge":    strings.Repeat("9", 500),
	} {
		t.Run(name, func(t *testing.T) {
			_, r := openStream(t, s.URL+"/stocks", http.Header{"Last-Event-Id": {id}})
			ev := readOpening(t, r)
			if ev.Type != "snapshot" || ev.ID != head || !strings.Contains(ev.Data, `"id":"`+head+`"`) {
				t.Fatalf("id %q: got %+v, want the snapshot with head %s", id, ev, head)
			}
		})
	}
}

func TestSymbolsFilter(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{})
	publish(t, s.Broker, append(quotes("AAPL", 1), quotes("MSFT", 1)...))
	_, r := openStream(t, s.URL+"/stocks?symbols=msft,GOOG", nil)
	snap := readOpening(t, r)
	if !strings.Contains(snap.Data, "MSFT") || strings.Contains(snap.Data, "AAPL") {
		t.Fatalf("filtered snapshot %s", snap.Data)
	}
	evs := publish(t, s.Broker, []stock.Quote{quotes("AAPL", 1)[0], quotes("GOOG", 1)[0], quotes("MSFT", 1)[0]})
	if got := updates(t, r, 2); idsOf(got) != evs[1].ID+","+evs[2].ID {
		t.Fatalf("filtered live %s, want %s,%s", idsOf(got), evs[1].ID, evs[2].ID)
	}
}

func TestHeartbeatOnSilence(t *testing.T) {
	s := startServer(t, stockhttp.Config{Heartbeat: 100 * time.Millisecond}, inmem.Options{})
	resp, r := openStream(t, s.URL+"/stocks", nil)
	readOpening(t, r)
	// Read raw bytes: a heartbeat is a comment, which the reader skips.
	buf := make([]byte, 64)
	n, err := io.ReadAtLeast(resp.Body, buf, 3)
	if err != nil || string(buf[:n]) != ":\n\n" {
		t.Fatalf("after silence read %q, %v; want the comment \":\\n\\n\"", buf[:n], err)
	}
}

func TestPublishReceiveExactPrice(t *testing.T) {
	s := startServer(t, stockhttp.Config{PublishToken: token}, inmem.Options{})
	_, r := openStream(t, s.URL+"/stocks", nil)
	readOpening(t, r)
	status, _, body := do(t, "POST", s.URL+"/api/prices", http.Header{
		"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"},
	}, `{"symbol":"AAPL","price":118.88,"timestamp":"2025-06-16T05:31:12.5838771Z"}`)
	if status != http.StatusAccepted {
		t.Fatalf("publish: %d %s", status, body)
	}
	var assigned []stock.StockPriceEvent
	if err := json.Unmarshal([]byte(body), &assigned); err != nil || len(assigned) != 1 {
		t.Fatalf("publish answer %s: %v", body, err)
	}
	ev := next(t, r)
	want := `{"id":"` + assigned[0].ID + `","symbol":"AAPL","price":118.88,"timestamp":"2025-06-16T05:31:12.5838771Z"}`
	if ev.Type != "stockUpdate" || ev.ID != assigned[0].ID || ev.Data != want {
		t.Fatalf("received %+v\nwant data %s", ev, want)
	}
}

func TestSlowSubscriberDroppedWhileFastGetsEverything(t *testing.T) {
	s := startServer(t, stockhttp.Config{WriteTimeout: time.Minute}, inmem.Options{History: 100000, Queue: 512})
	_, fast := openStream(t, s.URL+"/stocks", nil)
	readOpening(t, fast)
	slowResp, slow := openStream(t, s.URL+"/stocks", nil)
	readOpening(t, slow) // then never read again until the end

	var published []stock.StockPriceEvent
	for i := 0; i < 2000 && droppedSlow(t, s) == "0"; i++ {
		batch := publish(t, s.Broker, quotes("AAPL", 100))
		if got := updates(t, fast, len(batch)); idsOf(got) != idsOf(batch) {
			t.Fatalf("fast subscriber got %s…, want %s…", got[0].ID, batch[0].ID)
		}
		published = append(published, batch...)
	}
	if droppedSlow(t, s) != "1" {
		_, _, m := do(t, "GET", s.URL+"/metrics", nil, "")
		t.Fatalf("after %d events the reader that never reads was not dropped\n%s", len(published), m)
	}
	// The slow one got a gap-free prefix, then the end of the stream: it
	// resumes from its last id with nothing lost.
	var got []stock.StockPriceEvent
	for {
		ev, err := slow.Next()
		if errors.Is(err, io.EOF) || err != nil {
			break
		}
		var e stock.StockPriceEvent
		json.Unmarshal([]byte(ev.Data), &e)
		got = append(got, e)
	}
	slowResp.Body.Close()
	if len(got) == 0 || len(got) >= len(published) || idsOf(got) != idsOf(published[:len(got)]) {
		t.Fatalf("slow subscriber got %d of %d events, want a gap-free strict prefix", len(got), len(published))
	}
}

// droppedSlow reads the slow-subscriber counter from /metrics.
func droppedSlow(t testing.TB, s *testServer) string {
	return metric(t, s.URL, "stockstream_subscribers_dropped_slow_total")
}

// TestStreamOutlivesServerTimeouts: the server's read and write timeouts
// bound ordinary requests, not streams: a stream stays open through a
// quiet second kept alive by heartbeats alone, then through a busy one,
// five times those timeouts each.
func TestStreamOutlivesServerTimeouts(t *testing.T) {
	const timeout = 200 * time.Millisecond
	s := startServer(t, stockhttp.Config{RequestTimeout: timeout, Heartbeat: 50 * time.Millisecond}, inmem.Options{})
	_, r := openStream(t, s.URL+"/stocks", nil)
	readOpening(t, r)

	time.Sleep(5 * timeout) // quiet: only heartbeats keep the stream going
	publish(t, s.Broker, quotes("AAPL", 1))
	updates(t, r, 1)
	if n := r.Comments(); n < 5 {
		t.Fatalf("%d heartbeats in a quiet second, want about 20", n)
	}

	for stop := time.Now().Add(5 * timeout); time.Now().Before(stop); {
		publish(t, s.Broker, quotes("AAPL", 1))
		updates(t, r, 1) // fails if the stream was cut
		time.Sleep(20 * time.Millisecond)
	}
}

func TestShutdownEndsOpenStreams(t *testing.T) {
	s := startServer(t, stockhttp.Config{}, inmem.Options{})
	var readers []func() error
	for range 5 {
		resp, r := openStream(t, s.URL+"/stocks", nil)
		readOpening(t, r)
		readers = append(readers, func() error {
			_, err := io.ReadAll(resp.Body)
			return err
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with open streams: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("shutdown took %s", d)
	}
	var wg sync.WaitGroup
	for _, read := range readers {
		wg.Go(func() {
			if err := read(); err != nil {
				t.Errorf("stream did not end cleanly: %v", err)
			}
		})
	}
	wg.Wait()
}

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

// TestClientLeavingEndsItsStream checks that a client closing its
// connection is noticed at once, not at the next heartbeat: its
// subscription and connection are released.
func TestClientLeavingEndsItsStream(t *testing.T) {
	s := startServer(t, stockhttp.Config{Heartbeat: time.Hour}, inmem.Options{})
	for range 3 {
		resp, r := openStream(t, s.URL+"/stocks", nil)
		readOpening(t, r)
		resp.Body.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for metric(t, s.URL, anonymousSubscribers) != "0" {
		if time.Now().After(deadline) {
			t.Fatalf("%s subscribers still registered 10s after their clients left", metric(t, s.URL, anonymousSubscribers))
		}
		time.Sleep(10 * time.Millisecond) // poll interval
	}
}
