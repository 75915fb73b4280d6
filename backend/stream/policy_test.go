package stream_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/backend/metrics"
	"github.com/stockstream/stockstream/backend/stream"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// fakeConn is a transport for unit tests of the policy: it keeps what is
// written. One that never waits takes at most room bytes (room < 0: any)
// and then reports ErrWouldBlock until drain makes room. One that waits
// blocks every write while it is held, until released or aborted.
type fakeConn struct {
	waits bool

	mu      sync.Mutex
	st      *stream.Stream
	got     bytes.Buffer
	room    int
	held    chan struct{} // closed to release held writes; nil: not held
	aborted chan struct{}
	closed  bool
}

func newConn(room int) *fakeConn { return &fakeConn{room: room, aborted: make(chan struct{})} }

func (c *fakeConn) Write(bufs [][]byte) (int, error) {
	if c.waits {
		c.mu.Lock()
		held := c.held
		c.mu.Unlock()
		if held != nil {
			select {
			case <-held:
			case <-c.aborted:
				return 0, context.Canceled
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isAborted() {
		return 0, context.Canceled
	}
	n := 0
	for _, b := range bufs {
		if c.room >= 0 && len(b) > c.room {
			b = b[:c.room]
		}
		c.got.Write(b)
		n += len(b)
		if c.room >= 0 {
			c.room -= len(b)
			if c.room == 0 {
				return n, stream.ErrWouldBlock
			}
		}
	}
	return n, nil
}

func (c *fakeConn) Waits() bool { return c.waits }

func (c *fakeConn) Abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.isAborted() {
		close(c.aborted)
	}
}

func (c *fakeConn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
}

func (c *fakeConn) isAborted() bool {
	select {
	case <-c.aborted:
		return true
	default:
		return false
	}
}

// drain lets the client read everything: the connection takes any bytes
// again, and tells its stream.
func (c *fakeConn) drain() {
	c.mu.Lock()
	c.room = -1
	st := c.st
	c.mu.Unlock()
	st.Writable()
}

// text returns everything written.
func (c *fakeConn) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got.String()
}

// bench is a tier and a hub, made inside a synctest bubble.
type bench struct {
	tier    *stream.Tier
	hub     *fanout.Hub
	metrics *metrics.Metrics
	seq     uint64
}

func newBench(t *testing.T, cfg stream.Config) *bench {
	t.Helper()
	cfg.Metrics = metrics.New()
	cfg.Logger = slog.New(slog.DiscardHandler)
	if cfg.Writers == 0 {
		cfg.Writers = 1
	}
	b := &bench{tier: stream.New(cfg), hub: fanout.NewHub(fanout.Options{History: 100, Lag: 100}), metrics: cfg.Metrics}
	t.Cleanup(func() {
		b.hub.Close()
		b.tier.Close(context.Background())
	})
	return b
}

// publish delivers n events of AAPL and returns their frames, joined.
func (b *bench) publish(n int) string {
	var frames strings.Builder
	evs := make([]*backend.Event, n)
	for i := range evs {
		b.seq++
		evs[i] = backend.NewEvent(b.seq, stock.StockPriceEvent{Symbol: "AAPL", Price: stock.PriceFromCents(int64(b.seq)), Timestamp: time.Unix(0, 0).UTC()})
		frames.Write(evs[i].Frame)
	}
	b.hub.Deliver(evs)
	return frames.String()
}

// ended is what a stream's Done was told, once it was.
type ended struct {
	res stream.Result
	at  time.Time
}

// start opens a stream on conn, runs it on the writers (or on a goroutine
// of its own for a connection that waits) and returns where its end will
// be reported.
func (b *bench) start(t *testing.T, conn *fakeConn, spec stream.Spec) <-chan ended {
	t.Helper()
	done := make(chan ended, 1)
	if spec.Sub == nil {
		sub, _ := b.hub.Add(backend.SubscribeRequest{})
		spec.Sub = sub
		spec.Opening = backend.Opening{Resumed: true}
	}
	spec.Transport = "test"
	spec.Done = func(r stream.Result) { done <- ended{r, time.Now()} }
	st, err := b.tier.Open(spec)
	if err != nil {
		t.Fatal(err)
	}
	conn.mu.Lock()
	conn.st = st
	conn.mu.Unlock()
	if conn.waits {
		go b.tier.Serve(st, conn)
	} else {
		b.tier.Start(st, conn)
	}
	return done
}

const retry = "retry: 3000\n\n"

func TestOpensWithRetryThenSnapshotThenEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBench(t, stream.Config{})
		snap := []stock.Latest{{StockPriceEvent: stock.StockPriceEvent{ID: "7", Symbol: "AAPL", Price: stock.PriceFromCents(101), Timestamp: time.Unix(0, 0).UTC()}}}
		sub, _ := b.hub.Add(backend.SubscribeRequest{})
		conn := newConn(-1)
		b.start(t, conn, stream.Spec{Sub: sub, Opening: backend.Opening{Snapshot: snap, Head: 7}})
		synctest.Wait()
		frames := b.publish(3)
		synctest.Wait()
		want := retry + string(stream.SnapshotFrame(7, snap)) + frames
		if got := conn.text(); got != want {
			t.Fatalf("stream wrote\n%q\nwant\n%q", got, want)
		}
	})
}

func TestHeartbeatAfterSilenceOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const hb = time.Second
		tick := stream.Tick(hb, stream.DefaultWriteTimeout)
		b := newBench(t, stream.Config{Heartbeat: hb})
		conn := newConn(-1)
		b.start(t, conn, stream.Spec{})
		for range 10 { // a busy stream gets no heartbeat
			time.Sleep(hb / 2)
			b.publish(1)
		}
		synctest.Wait()
		if strings.Contains(conn.text(), string(sse.Heartbeat)) {
			t.Fatal("heartbeat on a stream that was never silent for the interval")
		}
		time.Sleep(hb - time.Nanosecond)
		synctest.Wait()
		if strings.Contains(conn.text(), string(sse.Heartbeat)) {
			t.Fatal("heartbeat before a full interval of silence")
		}
		time.Sleep(tick)
		synctest.Wait()
		if n := strings.Count(conn.text(), string(sse.Heartbeat)); n != 1 {
			t.Fatalf("%d heartbeats within a tick after the interval, want 1", n)
		}
	})
}

// TestFullConnectionCutAfterWriteTimeout: a client that stops reading is
// cut, its connection reset, no earlier than the write timeout after its
// connection filled and within a tick of it.
func TestFullConnectionCutAfterWriteTimeout(t *testing.T) {
	for _, waits := range []bool{false, true} {
		t.Run(map[bool]string{false: "never waits", true: "waits"}[waits], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const timeout = 2 * time.Second
				b := newBench(t, stream.Config{WriteTimeout: timeout})
				conn := newConn(len(retry) + 10)
				if waits {
					conn.room, conn.waits, conn.held = -1, true, make(chan struct{})
				}
				done := b.start(t, conn, stream.Spec{})
				synctest.Wait()
				start := time.Now()
				b.publish(5)
				e := <-done
				took := e.at.Sub(start)
				if e.res.Reason != stream.WriteTimeout || !conn.isAborted() {
					t.Fatalf("ended %v, reset %v; want write_timeout and a reset", e.res.Reason, conn.isAborted())
				}
				if tick := stream.Tick(stream.DefaultHeartbeat, timeout); took < timeout || took > timeout+tick {
					t.Fatalf("cut %v after the connection filled, want within a tick after %v", took, timeout)
				}
			})
		})
	}
}

// TestSlowSubscriberCutAtOnce: a subscriber that falls out of the ring
// while its connection is full is cut at once, on both kinds of
// connection, not at the write timeout.
func TestSlowSubscriberCutAtOnce(t *testing.T) {
	for _, waits := range []bool{false, true} {
		t.Run(map[bool]string{false: "never waits", true: "waits"}[waits], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := newBench(t, stream.Config{WriteTimeout: time.Minute})
				conn := newConn(len(retry) + 10)
				if waits {
					conn.room, conn.waits, conn.held = -1, true, make(chan struct{})
				}
				done := b.start(t, conn, stream.Spec{})
				synctest.Wait()
				b.publish(1)
				synctest.Wait()
				start := time.Now()
				for range 20 {
					b.publish(10) // past the ring of 100
				}
				e := <-done
				if e.res.Reason != stream.Slow || !conn.isAborted() || e.at.Sub(start) != 0 {
					t.Fatalf("ended %v after %v, reset %v; want slow at once, reset", e.res.Reason, e.at.Sub(start), conn.isAborted())
				}
			})
		})
	}
}

// TestExpiryEndsCleanly runs a busy stream past its expiry: it ends in
// order within a tick after it, having written only whole frames.
func TestExpiryEndsCleanly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const hb = time.Second
		b := newBench(t, stream.Config{Heartbeat: hb})
		conn := newConn(-1)
		exp := time.Now().Add(3 * time.Second)
		done := b.start(t, conn, stream.Spec{Expires: exp})
		stop := make(chan struct{})
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(7 * time.Millisecond):
					b.publish(1)
				}
			}
		}()
		e := <-done
		close(stop)
		if e.res.Reason != stream.Expired || conn.isAborted() || !conn.closed {
			t.Fatalf("ended %v, reset %v, closed %v; want expired, closed in order", e.res.Reason, conn.isAborted(), conn.closed)
		}
		if late := e.at.Sub(exp); late < 0 || late > stream.Tick(hb, stream.DefaultWriteTimeout) {
			t.Fatalf("ended %v after its expiry, want within a tick", late)
		}
		if got := conn.text(); !strings.HasSuffix(got, "\n\n") || strings.Count(got, "event: stockUpdate") < 100 {
			t.Fatalf("wrote %d bytes ending %q: want many whole frames", len(got), got[max(0, len(got)-20):])
		}
	})
}

// TestShutdownCompletesTheBegunFrame shuts down while a client holds half
// a frame: the stream waits for it to take the rest of that frame, drops
// the frames not begun, and closes in order. A client that never takes it
// is cut after the grace.
func TestShutdownCompletesTheBegunFrame(t *testing.T) {
	for _, reads := range []bool{true, false} {
		t.Run(map[bool]string{true: "client reads", false: "client never reads"}[reads], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := newBench(t, stream.Config{WriteTimeout: time.Minute, EndGrace: 2 * time.Second})
				conn := newConn(len(retry) + 10)
				done := b.start(t, conn, stream.Spec{})
				synctest.Wait()
				frames := b.publish(3)
				synctest.Wait()
				go b.tier.Shutdown(context.Background())
				synctest.Wait()
				start := time.Now()
				if reads {
					conn.drain()
				}
				e := <-done
				first := frames[:strings.Index(frames, "\n\n")+2]
				switch {
				case reads && (e.res.Reason != stream.Shutdown || conn.text() != retry+first || conn.isAborted()):
					t.Fatalf("ended %v, reset %v, wrote %q; want shutdown, in order, the begun frame whole and nothing more", e.res.Reason, conn.isAborted(), conn.text())
				case !reads && (!conn.isAborted() || e.at.Sub(start) != 2*time.Second):
					t.Fatalf("reset %v after %v; want a reset after the 2s grace", conn.isAborted(), e.at.Sub(start))
				}
			})
		})
	}
}

// TestReplayInChunks resumes 1,000 events back: the stream takes them a
// chunk at a time and writes every one, in order.
func TestReplayInChunks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBench(t, stream.Config{Chunk: 16})
		b.hub = fanout.NewHub(fanout.Options{History: 2000})
		frames := b.publish(1000)
		sub, resumed := b.hub.Add(backend.SubscribeRequest{LastEventID: "0"})
		conn := newConn(-1)
		b.start(t, conn, stream.Spec{Sub: sub, Opening: backend.Opening{Resumed: resumed}})
		synctest.Wait()
		if got := conn.text(); got != retry+frames {
			t.Fatalf("replay wrote %d bytes, want %d: every event in order", len(got), len(retry+frames))
		}
		if n := testutil.ToFloat64(b.metrics.Delivered.WithLabelValues("test")); n != 1000 {
			t.Fatalf("delivered counter %v, want 1000", n)
		}
	})
}

// pollOnly is a subscription that cannot notify.
type pollOnly struct{ backend.Subscription }

func TestPollsASubscriptionThatCannotNotify(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBench(t, stream.Config{})
		sub, _ := b.hub.Add(backend.SubscribeRequest{})
		conn := newConn(-1)
		b.start(t, conn, stream.Spec{Sub: pollOnly{sub}, Opening: backend.Opening{Resumed: true}})
		synctest.Wait()
		frames := b.publish(2)
		time.Sleep(stream.Tick(stream.DefaultHeartbeat, stream.DefaultWriteTimeout))
		synctest.Wait()
		if got := conn.text(); got != retry+frames {
			t.Fatalf("polled stream wrote %q, want the events within a tick", got)
		}
	})
}

func TestMetricsCountedOnceByTransport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBench(t, stream.Config{})
		conn := newConn(-1)
		done := b.start(t, conn, stream.Spec{})
		synctest.Wait()
		b.publish(7)
		synctest.Wait()
		b.tier.Shutdown(context.Background())
		e := <-done
		m := b.metrics
		checks := map[string]float64{
			"delivered": testutil.ToFloat64(m.Delivered.WithLabelValues("test")),
			"bytes":     testutil.ToFloat64(m.StreamBytes.WithLabelValues("test")),
			"opened":    testutil.ToFloat64(m.StreamsOpened.WithLabelValues("test", "resume")),
			"closed":    testutil.ToFloat64(m.StreamsClosed.WithLabelValues("test", "shutdown")),
		}
		want := map[string]float64{"delivered": 7, "bytes": float64(len(conn.text())), "opened": 1, "closed": 1}
		for k, v := range want {
			if checks[k] != v {
				t.Errorf("%s = %v, want %v", k, checks[k], v)
			}
		}
		if e.res.Written != int64(len(conn.text())) {
			t.Errorf("Result.Written %d, wrote %d", e.res.Written, len(conn.text()))
		}
	})
}
