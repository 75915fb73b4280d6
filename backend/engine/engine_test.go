package engine

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/engine/sockettest"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

var heartbeat = []byte(":\n\n")

func newEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = time.Hour
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = time.Minute
	}
	cfg.HeartbeatFrame = heartbeat
	cfg.Logger = slog.New(slog.DiscardHandler)
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// ending is what a stream's done callback was told.
type ending struct {
	written int64
	err     error
}

// started is a stream handed to an engine, with its client's end.
type started struct {
	client *net.TCPConn
	server *net.TCPConn
	sub    *fanout.Subscriber
	ended  chan ending
}

// startStream connects a client over loopback and hands the server's end
// to e with a new subscriber of hub and the given first bytes.
func startStream(t *testing.T, e *Engine, hub *fanout.Hub, first string, tune func(server, client *net.TCPConn)) *started {
	return startSub(t, e, hub.Add(nil, 0), first, tune)
}

// startSub is startStream with the subscriber given.
func startSub(t *testing.T, e *Engine, sub *fanout.Subscriber, first string, tune func(server, client *net.TCPConn)) *started {
	t.Helper()
	s, c := sockettest.Pair(t)
	st := &started{client: c, server: s, sub: sub, ended: make(chan ending, 1)}
	t.Cleanup(st.sub.Close)
	if tune != nil {
		tune(st.server, st.client)
	}
	done := func(n int64, err error) { st.ended <- ending{n, err} }
	if err := e.Start(st.server, st.sub, [][]byte{[]byte(first)}, done); err != nil {
		t.Fatal(err)
	}
	return st
}

// waitEnd waits up to 10s for the stream to end and returns why.
func (st *started) waitEnd(t *testing.T) ending {
	t.Helper()
	select {
	case e := <-st.ended:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("stream did not end within 10s")
		return ending{}
	}
}

// readN reads exactly n bytes from the client within 10s.
func (st *started) readN(t *testing.T, n int) string {
	t.Helper()
	st.client.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, n)
	if _, err := io.ReadFull(st.client, buf); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	return string(buf)
}

func events(from, n int) []*backend.Event {
	evs := make([]*backend.Event, n)
	for i := range evs {
		evs[i] = backend.NewEvent(uint64(from+i), stock.StockPriceEvent{Symbol: "AAPL", Price: stock.PriceFromCents(int64(from + i))})
	}
	return evs
}

func frames(evs []*backend.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		b.Write(ev.Frame)
	}
	return b.String()
}

func TestOpeningThenEventsInOrder(t *testing.T) {
	e := newEngine(t, Config{})
	hub := fanout.NewHub(1000)
	evs := events(1, 30)
	sub := hub.Add(nil, 0)
	hub.Deliver(evs[:10]) // pending before the stream starts: after the opening
	st := startSub(t, e, sub, "opening\n\n", nil)
	hub.Deliver(evs[10:20])
	hub.Deliver(evs[20:])
	want := "opening\n\n" + frames(evs)
	if got := st.readN(t, len(want)); got != want {
		t.Fatalf("client read\n%q\nwant\n%q", got, want)
	}
}

func TestHangupEndsTheStream(t *testing.T) {
	e := newEngine(t, Config{})
	hub := fanout.NewHub(10)
	st := startStream(t, e, hub, "hi", nil)
	st.readN(t, 2)
	st.client.Close()
	if end := st.waitEnd(t); !errors.Is(end.err, ErrClientGone) || end.written != 2 {
		t.Fatalf("ended %+v, want ErrClientGone after 2 bytes", end)
	}
	if e.Len() != 0 {
		t.Fatalf("engine still runs %d streams", e.Len())
	}
}

func TestEndedSubscriptionEndsTheStream(t *testing.T) {
	e := newEngine(t, Config{})
	hub := fanout.NewHub(10)
	st := startStream(t, e, hub, "hi", nil)
	st.readN(t, 2)
	hub.Close()
	if end := st.waitEnd(t); !errors.Is(end.err, backend.ErrClosed) {
		t.Fatalf("ended %+v, want the subscription's ErrClosed", end)
	}
	st.client.SetReadDeadline(time.Now().Add(10 * time.Second))
	if rest, err := io.ReadAll(st.client); err != nil || len(rest) != 0 {
		t.Fatalf("client read %q, %v; want EOF", rest, err)
	}
}

func TestHeartbeatAfterSilenceOnly(t *testing.T) {
	e := newEngine(t, Config{Heartbeat: 50 * time.Millisecond})
	hub := fanout.NewHub(10)
	st := startStream(t, e, hub, "hi", nil)
	st.readN(t, 2)
	if got := st.readN(t, len(heartbeat)); got != string(heartbeat) {
		t.Fatalf("after silence read %q, want a heartbeat", got)
	}
	hub.Deliver(events(1, 1))
	want := frames(events(1, 1))
	if got := st.readN(t, len(want)); got != want {
		t.Fatalf("read %q, want the event", got)
	}
}

// TestFullSocketKeepsItsBytesAndResumes fills a stream's socket (small
// buffers, a client that does not read), so writes are partial and the
// stream waits for writability; once the client reads, every byte arrives
// in order.
func TestFullSocketKeepsItsBytesAndResumes(t *testing.T) {
	e := newEngine(t, Config{})
	hub := fanout.NewHub(100000)
	small := func(server, client *net.TCPConn) {
		server.SetWriteBuffer(4096)
		client.SetReadBuffer(256 << 10)
	}
	st := startStream(t, e, hub, "opening\n\n", small)
	var all []*backend.Event
	for i := range 200 {
		evs := events(1+i*50, 50)
		all = append(all, evs...)
		hub.Deliver(evs)
	}
	want := "opening\n\n" + frames(all) // far more than both socket buffers
	deadline := time.Now().Add(10 * time.Second)
	for e.Blocked() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the stream never found its socket full")
		}
		time.Sleep(time.Millisecond)
	}
	r := bufio.NewReader(st.client)
	st.client.SetReadDeadline(time.Now().Add(20 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatalf("read %d bytes: %v", len(want), err)
	}
	if !bytes.Equal(got, []byte(want)) {
		t.Fatal("bytes arrived out of order or changed after partial writes")
	}
	select {
	case end := <-st.ended:
		t.Fatalf("stream ended: %+v", end)
	default:
	}
	if n := e.Blocked(); n != 0 {
		t.Fatalf("%d streams still blocked after the client read everything", n)
	}
}

func TestPeerThatStopsReadingIsCutAfterWriteTimeout(t *testing.T) {
	const timeout = 200 * time.Millisecond
	e := newEngine(t, Config{WriteTimeout: timeout})
	hub := fanout.NewHub(100000)
	small := func(server, client *net.TCPConn) {
		server.SetWriteBuffer(4096)
		client.SetReadBuffer(256 << 10)
	}
	st := startStream(t, e, hub, "", small)
	start := time.Now()
	hub.Deliver(events(1, 5000)) // never read
	end := st.waitEnd(t)
	if !errors.Is(end.err, ErrWriteTimeout) {
		t.Fatalf("ended %+v, want ErrWriteTimeout", end)
	}
	if took := time.Since(start); took < timeout {
		t.Fatalf("cut after %v, before the write timeout of %v", took, timeout)
	}
}

func TestShutdownEndsEveryStream(t *testing.T) {
	e := newEngine(t, Config{})
	hub := fanout.NewHub(10)
	var sts []*started
	for range 5 {
		sts = append(sts, startStream(t, e, hub, "hi", nil))
	}
	e.Close()
	for _, st := range sts {
		if end := st.waitEnd(t); !errors.Is(end.err, ErrShutdown) {
			t.Fatalf("ended %+v, want ErrShutdown", end)
		}
	}
	c, s := net.Pipe()
	defer c.Close()
	if err := e.Start(s, hub.Add(nil, 0), nil, func(int64, error) {}); err == nil {
		t.Fatal("a closed engine took a stream")
	}
}

func TestClosedConnectionIsRefused(t *testing.T) {
	e := newEngine(t, Config{})
	s, _ := sockettest.Pair(t)
	s.Close() // as a proxy dropping it between hijack and hand-over
	sub := fanout.NewHub(1).Add(nil, 0)
	if err := e.Start(s, sub, nil, func(int64, error) {}); err == nil {
		t.Fatal("took over a closed connection")
	}
	if e.Len() != 0 {
		t.Fatalf("%d streams after a refused start", e.Len())
	}
}

// TestManyStreamsGetEverything races publishers against the writers: every
// client must read every event once, in order.
func TestManyStreamsGetEverything(t *testing.T) {
	const clients, batches, per = 20, 100, 7
	e := newEngine(t, Config{Writers: 2})
	hub := fanout.NewHub(batches * per)
	sts := make([]*started, clients)
	for i := range sts {
		sts[i] = startStream(t, e, hub, "", nil)
	}
	var all []*backend.Event
	for b := range batches {
		evs := events(1+b*per, per)
		all = append(all, evs...)
		hub.Deliver(evs)
	}
	want := frames(all)
	var wg sync.WaitGroup
	for i, st := range sts {
		wg.Go(func() {
			st.client.SetReadDeadline(time.Now().Add(20 * time.Second))
			got := make([]byte, len(want))
			if _, err := io.ReadFull(st.client, got); err != nil || string(got) != want {
				t.Errorf("client %d: %v, or the events differ", i, err)
			}
		})
	}
	wg.Wait()
}

func TestScheduleQueuesOnceAndRerunsWhileRunning(t *testing.T) {
	e := &Engine{ready: newReadyList(2)}
	st := &stream{e: e}
	st.schedule()
	st.schedule()
	if got := e.ready.pop(nil); len(got) != 1 || st.state.Load() != queued {
		t.Fatalf("scheduled twice: %d in the list, state %d; want 1, queued", len(got), st.state.Load())
	}
	st.state.Store(running)
	st.schedule()
	if got := e.ready.pop(nil); len(got) != 0 || st.state.Load() != rerun {
		t.Fatalf("scheduled while running: %d in the list, state %d; want 0, rerun", len(got), st.state.Load())
	}
	select {
	case <-e.ready.wake:
	default:
		t.Fatal("no writer was woken for the first ready stream")
	}
}

func TestReadyListPopsInBatchesInOrderAndWakesHelp(t *testing.T) {
	l := newReadyList(4)
	sts := make([]*stream, batch+5)
	for i := range sts {
		sts[i] = &stream{}
		l.push(sts[i])
	}
	<-l.wake // the first push's
	first := l.pop(nil)
	if len(l.wake) != 1 {
		t.Fatal("a writer that left streams in the list did not wake another")
	}
	<-l.wake
	second := l.pop(nil)
	if len(first) != batch || len(second) != 5 || first[0] != sts[0] || second[0] != sts[batch] {
		t.Fatalf("popped %d then %d, want %d then 5, in push order", len(first), len(second), batch)
	}
	if len(l.wake) != 0 {
		t.Fatal("woke a writer for an empty list")
	}
	if rest := l.pop(nil); len(rest) != 0 {
		t.Fatalf("%d left after popping everything", len(rest))
	}
}

// TestReadyListNeverEmptyingStaysBounded pushes as fast as it pops, so the
// list is never empty: its array must not grow with every push.
func TestReadyListNeverEmptyingStaysBounded(t *testing.T) {
	l := newReadyList(1)
	st := &stream{}
	for range 2 * batch {
		l.push(st)
	}
	for range 10000 {
		for range batch {
			l.push(st)
		}
		l.pop(nil)
	}
	if c := cap(l.q); c > 16*batch {
		t.Fatalf("the list's array grew to %d for at most %d ready streams", c, 3*batch)
	}
}

func TestReclaimAfterABurstSettles(t *testing.T) {
	var r reclaimer
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	r.churn = burstChurn - 1
	if r.tick(at(0)) || r.tick(at(5000)) {
		t.Fatal("reclaimed below a burst's churn")
	}
	r.churn++
	if r.tick(at(5100)) {
		t.Fatal("reclaimed while streams were still opening")
	}
	if r.tick(at(5100 + 999)) {
		t.Fatal("reclaimed before the burst settled")
	}
	if !r.tick(at(5100 + 1000)) {
		t.Fatal("did not reclaim a settled burst")
	}
	if r.tick(at(9000)) {
		t.Fatal("reclaimed twice for one burst")
	}
}

func TestTick(t *testing.T) {
	for _, c := range []struct{ hb, wt, want time.Duration }{
		{15 * time.Second, 10 * time.Second, 100 * time.Millisecond},
		{100 * time.Millisecond, time.Minute, 6250 * time.Microsecond},
		{time.Millisecond, time.Minute, time.Millisecond},
	} {
		if got := Tick(c.hb, c.wt); got != c.want {
			t.Errorf("Tick(%v, %v) = %v, want %v", c.hb, c.wt, got, c.want)
		}
	}
}
