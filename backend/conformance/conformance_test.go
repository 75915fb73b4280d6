package conformance_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/access"
	stockhttp "github.com/stockstream/stockstream/backend/http"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/backend/streamtest"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// cases is the stream contract of CONTRACT.md, one case per promise.
var cases = []struct {
	name string
	run  func(t *testing.T, c cell)
}{
	{"Headers", testHeaders},
	{"RetryThenSnapshotThenLive", testRetrySnapshotLive},
	{"ResumeExactlyByHeaderAndQuery", testResumeExactly},
	{"SnapshotForIDsNotHeld", testSnapshotForIDsNotHeld},
	{"Filter", testFilter},
	{"Conflation", testConflation},
	{"HeartbeatAfterSilence", testHeartbeat},
	{"ClientLeavingEndsItsStream", testClientLeaving},
	{"OutlivesTheServersRequestTimeouts", testOutlivesTimeouts},
	{"NothingLostUnderFaults", testNothingLostUnderFaults},
	{"SlowClientCutAtOnce", testSlowClientCut},
	{"ShutdownEndsEveryStreamWithItsLastFrameWhole", testShutdown},
	{"ExpiryEndsTheStreamAndAFreshTokenResumes", testExpiry},
	{"MetricsByTransport", testMetrics},
}

// TestConformance runs every case on every transport with every broker.
func TestConformance(t *testing.T) {
	redisServer := redistest.Start(t)
	for _, b := range brokerKinds(redisServer) {
		for _, tr := range transports {
			c := cell{transport: tr, broker: b}
			t.Run(b.name+"/"+tr.name, func(t *testing.T) {
				for _, tc := range cases {
					t.Run(tc.name, func(t *testing.T) { tc.run(t, c) })
				}
			})
		}
	}
}

func testHeaders(t *testing.T, c cell) {
	s := c.start(t, stockhttp.Config{}, brokerOptions{})
	st := s.open(t, "", http.Header{"Accept-Encoding": {"gzip, br, deflate"}})
	h := st.resp.Header
	for k, want := range map[string]string{
		"Content-Type":      "text/event-stream; charset=utf-8",
		"Cache-Control":     "no-store",
		"X-Accel-Buffering": "no",
		"Content-Encoding":  "",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

func testRetrySnapshotLive(t *testing.T, c cell) {
	s := c.start(t, stockhttp.Config{Retry: 1500 * time.Millisecond}, brokerOptions{})
	before := s.publish(t, append(quotes("AAPL", 2), quotes("MSFT", 1)...))
	st := s.open(t, "", nil)
	snap := st.opening(t)
	if st.Retry() != 1500*time.Millisecond || snap.Type != stock.EventSnapshot || snap.ID != before[2].ID {
		t.Fatalf("opening: retry %v, %q event with id %s; want retry 1500ms then a snapshot with the head id %s", st.Retry(), snap.Type, snap.ID, before[2].ID)
	}
	var latest []stock.Latest
	if err := json.Unmarshal([]byte(snap.Data), &latest); err != nil || len(latest) != 2 || latest[0].ID != before[1].ID || latest[1].ID != before[2].ID {
		t.Fatalf("snapshot %s (%v), want the latest AAPL and MSFT", snap.Data, err)
	}
	live := s.publish(t, quotes("GOOG", 3))
	if got := st.updates(t, 3); ids(got) != ids(live) || got[2].Price.String() != live[2].Price.String() {
		t.Fatalf("live %s, want %s", ids(got), ids(live))
	}
}

func testResumeExactly(t *testing.T, c cell) {
	s := c.start(t, stockhttp.Config{}, brokerOptions{})
	evs := s.publish(t, quotes("AAPL", 10))
	for name, open := range map[string]func() *stream{
		"header": func() *stream { return s.open(t, "", http.Header{"Last-Event-ID": {evs[3].ID}}) },
		"query":  func() *stream { return s.open(t, "lastEventId="+evs[3].ID, nil) },
		"header wins": func() *stream {
			return s.open(t, "lastEventId="+evs[0].ID, http.Header{"Last-Event-ID": {evs[3].ID}})
		},
	} {
		st := open()
		got := st.updates(t, 6)
		if st.Retry() == 0 || ids(got) != ids(evs[4:]) {
			t.Fatalf("resume by %s from %s: %s, want exactly %s after retry:", name, evs[3].ID, ids(got), ids(evs[4:]))
		}
		st.close()
	}
}

func testSnapshotForIDsNotHeld(t *testing.T, c cell) {
	s := c.start(t, stockhttp.Config{}, brokerOptions{History: 10})
	first := s.publish(t, quotes("AAPL", 1))
	evs := s.publish(t, quotes("AAPL", 50))
	for _, id := range []string{"garbage", first[0].ID, "99999999999999999999", strings.Repeat("9", 200)} {
		st := s.open(t, "", http.Header{"Last-Event-ID": {id}})
		if ev := st.opening(t); ev.Type != stock.EventSnapshot || ev.ID != evs[49].ID {
			t.Fatalf("resume from %.20q: a %q event with id %s, want a snapshot with the head %s", id, ev.Type, ev.ID, evs[49].ID)
		}
		st.close()
	}
}

func testFilter(t *testing.T, c cell) {
	s := c.start(t, stockhttp.Config{}, brokerOptions{})
	s.publish(t, append(quotes("AAPL", 1), quotes("MSFT", 1)...))
	st := s.open(t, "symbols=msft", nil)
	var latest []stock.Latest
	json.Unmarshal([]byte(st.opening(t).Data), &latest)
	if len(latest) != 1 || latest[0].Symbol != "MSFT" {
		t.Fatalf("filtered snapshot %+v, want MSFT alone", latest)
	}
	evs := s.publish(t, append(append(quotes("AAPL", 2), quotes("MSFT", 1)...), quotes("GOOG", 1)...))
	if got := st.updates(t, 1); got[0].ID != evs[2].ID {
		t.Fatalf("filtered live %s, want MSFT's %s", got[0].ID, evs[2].ID)
	}
	for _, q := range []string{"symbols=,,", "symbols=AAPL,,MSFT", "symbols=a%C5%BF"} {
		resp, _ := s.get(t, s.client, "/stocks?"+q, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /stocks?%s: %s, want 400", q, resp.Status)
		}
	}
}

func testConflation(t *testing.T, c cell) {
	s := c.start(t, stockhttp.Config{}, brokerOptions{})
	st := s.open(t, "conflate=50ms", nil)
	st.opening(t)
	var all []stock.StockPriceEvent
	for range 20 {
		all = append(all, s.publish(t, append(quotes("AAPL", 5), quotes("MSFT", 5)...))...)
	}
	want := map[string]string{"AAPL": all[len(all)-6].ID, "MSFT": all[len(all)-1].ID}
	got := map[string]string{}
	var last uint64
	for got["AAPL"] != want["AAPL"] || got["MSFT"] != want["MSFT"] {
		e := decodeUpdate(t, st.next(t))
		seq, _ := stock.ParseID(e.ID)
		if seq <= last {
			t.Fatalf("id %d after %d: ids must still increase", seq, last)
		}
		last, got[e.Symbol] = seq, e.ID
	}
	if n := s.metric(t, `stockstream_events_delivered_total{transport="`+c.transport.name+`"}`); n >= float64(len(all)) {
		t.Fatalf("%v events written for %d published: conflation sent them all", n, len(all))
	}
}

// testHeartbeat checks that a comment comes after a heartbeat interval of
// silence, and not before (how late it may be is the policy's unit test).
func testHeartbeat(t *testing.T, c cell) {
	const hb = 300 * time.Millisecond
	s := c.start(t, stockhttp.Config{Heartbeat: hb}, brokerOptions{})
	resp, _ := s.get(t, s.client, "/stocks", nil)
	r := bufio.NewReader(resp.Body)
	for { // the opening ends with the snapshot's blank line
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, "event: snapshot") {
			r.ReadString('\n') // its data
			r.ReadString('\n') // its end
			break
		}
	}
	opened := time.Now()
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, ":") {
		t.Fatalf("after the opening: %q, %v; want a comment", line, err)
	}
	if took := time.Since(opened); took < hb-20*time.Millisecond || took > 10*hb {
		t.Fatalf("heartbeat %v after the opening, want after %v of silence", took, hb)
	}
}

func testClientLeaving(t *testing.T, c cell) {
	s := c.start(t, stockhttp.Config{}, brokerOptions{})
	st := s.open(t, "", nil)
	st.opening(t)
	gone := `stockstream_streams_closed_total{reason="client_gone",transport="` + c.transport.name + `"}`
	st.close()
	eventually(t, "the server saw the client leave", func() bool { return s.metric(t, gone) == 1 })
	if n := s.metric(t, `stockstream_subscribers{access="anonymous"}`); n != 0 {
		t.Fatalf("%v subscribers after the only one left", n)
	}
}

// testSlowClientCut has one client stop reading while a prompt one reads
// a flood: the slow one falls behind the events held and is cut as soon as
// it does, on every transport (no wait for its write timeout or a TLS
// close); the prompt one gets every event and stays.
func testSlowClientCut(t *testing.T, c cell) {
	s := c.start(t, stockhttp.Config{WriteTimeout: time.Minute}, brokerOptions{History: 500, Queue: 1000})
	slow := s.openWith(t, c.httpClient(32<<10), "", nil)
	slow.opening(t)
	prompt := s.open(t, "", nil)
	prompt.opening(t)
	label := `transport="` + c.transport.name + `"}`
	cut := `stockstream_streams_closed_total{reason="slow",` + label
	var flooded time.Time
	for i := 0; s.metric(t, cut) == 0; i++ {
		if i == 200 {
			t.Fatal("200 batches of 500 events did not cut a client that reads nothing")
		}
		evs := s.publish(t, quotes("AAPL", 500))
		flooded = time.Now()
		if got := prompt.updates(t, len(evs)); ids(got) != ids(evs) {
			t.Fatalf("the prompt client got %s…, want every event", got[0].ID)
		}
	}
	if took := time.Since(flooded); took > 3*time.Second {
		t.Fatalf("the slow client was cut %v after it fell behind, want at once", took)
	}
	if n := s.metric(t, `stockstream_streams_closed_total{reason="write_timeout",`+label); n != 0 {
		t.Fatalf("%v streams cut by their write timeout, want the slow one cut as slow", n)
	}
	evs := s.publish(t, quotes("MSFT", 3))
	if got := prompt.updates(t, 3); ids(got) != ids(evs) {
		t.Fatal("the prompt client stopped getting events")
	}
}

// testShutdown shuts the server down while streams run and events flow:
// every stream ends in order with its last frame whole, and each client
// resumes on a new server of the same broker with nothing lost or twice.
func testShutdown(t *testing.T, c cell) {
	s := c.start(t, stockhttp.Config{}, brokerOptions{History: 100000})
	const clients = 5
	type ending struct {
		body string
		err  error
	}
	ends := make(chan ending, clients)
	for range clients {
		resp, _ := s.get(t, s.client, "/stocks", nil)
		go func() {
			b, err := io.ReadAll(resp.Body)
			ends <- ending{string(b), err}
		}()
	}
	stop := make(chan struct{})
	pubDone := make(chan []stock.StockPriceEvent)
	go func() { pubDone <- publishUntil(s, stop, 50, 5*time.Millisecond) }()
	time.Sleep(200 * time.Millisecond) // streams busy
	if err := s.stop(t); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	var bodies []string
	for range clients {
		select {
		case e := <-ends:
			if e.err != nil || !strings.HasSuffix(e.body, "\n\n") {
				t.Fatalf("a stream ended with %v, mid-frame: …%q; closed: %v", e.err, e.body[max(0, len(e.body)-40):], s.closedReasons(t))
			}
			bodies = append(bodies, e.body)
		case <-time.After(10 * time.Second):
			t.Fatal("a stream did not end within 10s of the shutdown")
		}
	}
	close(stop)
	published := <-pubDone
	again := c.start(t, stockhttp.Config{Broker: s.broker}, brokerOptions{})
	published = append(published, again.publish(t, quotes("MSFT", 5))...)
	for _, body := range bodies {
		seen := readAll(t, body)
		last := seen[len(seen)-1]
		st := again.open(t, "", http.Header{"Last-Event-ID": {last.ID}})
		want := after(published, last.ID)
		if got := st.updates(t, len(want)); ids(got) != ids(want) {
			t.Fatalf("resume from %s: %d events, want the %d after it exactly", last.ID, len(got), len(want))
		}
		st.close()
	}
}

// publishUntil publishes batches of n quotes of AAPL into s's broker, one
// every pause, until stop is closed or a publish fails, and returns what it
// published.
func publishUntil(s *server, stop <-chan struct{}, n int, pause time.Duration) []stock.StockPriceEvent {
	var out []stock.StockPriceEvent
	for {
		select {
		case <-stop:
			return out
		case <-time.After(pause):
		}
		evs, err := s.broker.Publish(context.Background(), backend.PublishRequest{Quotes: quotes("AAPL", n)})
		if err != nil {
			<-stop
			return out
		}
		out = append(out, evs...)
	}
}

// readAll parses a stream's whole body: the snapshot's id and every
// update, as events with their ids.
func readAll(t *testing.T, body string) []stock.StockPriceEvent {
	t.Helper()
	r := sse.NewReader(strings.NewReader(body), 4<<20)
	var out []stock.StockPriceEvent
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, stock.StockPriceEvent{ID: string(ev.ID)})
	}
}

// after returns the events published after the one with id (all if none).
func after(evs []stock.StockPriceEvent, id string) []stock.StockPriceEvent {
	seq, _ := stock.ParseID(id)
	for i, e := range evs {
		if s, _ := stock.ParseID(e.ID); s > seq {
			return evs[i:]
		}
	}
	return nil
}

// testExpiry reads a busy stream with a token that expires: it ends no
// earlier than the expiry and at most 2s after, in order, every frame
// whole; the same token is then refused, and a fresh one with the last id
// resumes exactly.
func testExpiry(t *testing.T, c cell) {
	key := []byte(strings.Repeat("k", 32))
	policy := access.New(access.Config{Key: key, Anonymous: access.Live})
	s := c.start(t, stockhttp.Config{Access: policy}, brokerOptions{History: 100000})
	exp := time.Now().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	token, err := access.Mint(key, []string{"*"}, exp)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := s.get(t, s.client, "/stocks", http.Header{"Authorization": {"Bearer " + token}})
	stop := make(chan struct{})
	pubDone := make(chan []stock.StockPriceEvent)
	go func() { pubDone <- publishUntil(s, stop, 3, 5*time.Millisecond) }()
	body, err := io.ReadAll(resp.Body)
	ended := time.Now()
	if err != nil || !strings.HasSuffix(string(body), "\n\n") {
		t.Fatalf("the stream ended with %v, its last bytes %q: want an orderly end after a whole frame", err, body[max(0, len(body)-40):])
	}
	if ended.Before(exp) || ended.After(exp.Add(2*time.Second)) {
		t.Fatalf("the stream ended %v after its token's expiry, want between 0 and 2s", ended.Sub(exp))
	}
	seen := readAll(t, string(body))
	if r, _ := s.get(t, s.client, "/stocks", http.Header{"Authorization": {"Bearer " + token}}); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("reconnecting with the expired token: %s, want 401", r.Status)
	}
	fresh, _ := access.Mint(key, []string{"*"}, time.Now().Add(time.Hour))
	st := s.open(t, "", http.Header{"Authorization": {"Bearer " + fresh}, "Last-Event-ID": {seen[len(seen)-1].ID}})
	time.Sleep(100 * time.Millisecond)
	close(stop)
	published := <-pubDone
	want := after(published, seen[len(seen)-1].ID)
	if got := st.updates(t, len(want)); ids(got) != ids(want) {
		t.Fatalf("resume with a fresh token: %d events, want the %d after %s exactly", len(got), len(want), seen[len(seen)-1].ID)
	}
}

func testMetrics(t *testing.T, c cell) {
	s := c.start(t, stockhttp.Config{}, brokerOptions{})
	st := s.open(t, "", nil)
	st.opening(t)
	s.publish(t, quotes("AAPL", 7))
	st.updates(t, 7)
	label := `transport="` + c.transport.name + `"`
	eventually(t, "the metrics count the stream", func() bool {
		return s.metric(t, `stockstream_events_delivered_total{`+label+`}`) == 7 &&
			s.metric(t, `stockstream_streams_opened_total{start="snapshot",`+label+`}`) == 1 &&
			s.metric(t, `stockstream_stream_bytes_total{`+label+`}`) > 0 &&
			s.metric(t, `stockstream_stream_lag_seconds_count{`+label+`}`) >= 1
	})
	if n := s.metric(t, `stockstream_subscribers{access="anonymous"}`); n != 1 {
		t.Fatalf("%v subscribers, want 1", n)
	}
}

// quotes returns n quotes of symbol priced 100.01, 100.02, ….
func quotes(symbol string, n int) []stock.Quote {
	qs := make([]stock.Quote, n)
	for i := range qs {
		qs[i] = stock.Quote{Symbol: symbol, Price: stock.PriceFromCents(int64(10001 + i))}
	}
	return qs
}

// testOutlivesTimeouts: the server's read and write timeouts bound
// ordinary requests, not streams: a stream stays open through a quiet
// second kept alive by heartbeats alone, then through a busy one, five
// times those timeouts each.
func testOutlivesTimeouts(t *testing.T, c cell) {
	const timeout = 200 * time.Millisecond
	s := c.start(t, stockhttp.Config{RequestTimeout: timeout, Heartbeat: 50 * time.Millisecond}, brokerOptions{})
	st := s.open(t, "", nil)
	st.opening(t)
	time.Sleep(5 * timeout) // quiet: only heartbeats keep the stream going
	s.publish(t, quotes("AAPL", 1))
	st.updates(t, 1)
	if n := st.Comments(); n < 5 {
		t.Fatalf("%d heartbeats in a quiet second, want about 20", n)
	}
	for stop := time.Now().Add(5 * timeout); time.Now().Before(stop); {
		s.publish(t, quotes("AAPL", 1))
		st.updates(t, 1) // fails if the stream was cut
		time.Sleep(20 * time.Millisecond)
	}
}

// chaosListener remembers accepted connections so a test can kill them
// from the server's side, as a crashed proxy would.
type chaosListener struct {
	net.Listener
	mu    sync.Mutex
	conns []chaosConn
}

// chaosConn is an accepted connection and the identity of its socket.
type chaosConn struct {
	net.Conn
	socket socketID
}

func (l *chaosListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, chaosConn{conn, socketOf(conn)})
		l.mu.Unlock()
	}
	return conn, err
}

// killOne kills a random accepted connection: it closes it, and shuts its
// socket down under the descriptor the engine took it over with.
func (l *chaosListener) killOne(rng *rand.Rand) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) == 0 {
		return
	}
	i := rng.IntN(len(l.conns))
	l.conns[i].Close()
	shutdownSocket(l.conns[i].socket)
	l.conns = append(l.conns[:i], l.conns[i+1:]...)
}

// testNothingLostUnderFaults has clients read a numbered sequence of
// prices while connections drop: clients abort and stall at random, and
// the server's side of connections is killed. Every client must see every
// price exactly once, in order, resuming with its last id.
func testNothingLostUnderFaults(t *testing.T, c cell) {
	const clients, events = 8, 3000
	var l *chaosListener
	s := c.startOn(t, stockhttp.Config{}, brokerOptions{History: events + 10, Queue: 256}, func(raw net.Listener) net.Listener {
		l = &chaosListener{Listener: raw}
		return l
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cs := make([]*streamtest.Client, clients)
	for i := range cs {
		cs[i] = &streamtest.Client{HTTP: c.httpClient(0), URL: func() string { return s.url + "/stocks" }, Rng: rand.New(rand.NewPCG(uint64(i), 42))}
	}
	g := streamtest.Go(cs, func(cl *streamtest.Client) error { return cl.Run(ctx, events) })
	if err := g.WaitOpened(ctx); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := int64(1); i <= events; {
		n := min(int64(1+rng.IntN(60)), events-i+1)
		if _, err := s.broker.Publish(ctx, backend.PublishRequest{Quotes: streamtest.Sequence("SEQ", i, int(n))}); err != nil {
			t.Fatal(err)
		}
		i += n
		if rng.IntN(10) == 0 {
			l.killOne(rng)
		}
		time.Sleep(time.Millisecond)
	}
	connects, _, err := g.Wait(events)
	if err != nil {
		t.Fatal(err)
	}
	if connects <= clients {
		t.Fatal("no connection was ever dropped: the test proved nothing")
	}
}
