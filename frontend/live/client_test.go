package live_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stockstream/stockstream/frontend/live"
	"github.com/stockstream/stockstream/frontend/sse"
	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/message"
)

// fakeStream is a stream the test drives by hand.
type fakeStream struct {
	url    string
	h      sse.Handlers
	state  sse.ReadyState
	closed bool
}

func (f *fakeStream) ReadyState() sse.ReadyState { return f.state }
func (f *fakeStream) Close()                     { f.closed, f.state = true, sse.Closed }

// fakeNet records every stream dialed and every reconnect scheduled.
type fakeNet struct {
	mu      sync.Mutex
	streams []*fakeStream
	delays  []time.Duration
	timers  []func()
}

func (n *fakeNet) dial(url string, types []string, h sse.Handlers) sse.Stream {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := &fakeStream{url: url, h: h}
	n.streams = append(n.streams, s)
	return s
}

func (n *fakeNet) after(d time.Duration, f func()) func() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.delays = append(n.delays, d)
	n.timers = append(n.timers, f)
	return func() bool { return true }
}

func (n *fakeNet) last() *fakeStream {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.streams[len(n.streams)-1]
}

// fire runs the newest scheduled reconnect.
func (n *fakeNet) fire() {
	n.mu.Lock()
	f := n.timers[len(n.timers)-1]
	n.mu.Unlock()
	f()
}

// after records a check or a reconnect scheduled.
func (n *fakeNet) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.timers)
}

func newClient(n *fakeNet) *live.Client {
	return newNotifyingClient(n, nil)
}

func newNotifyingClient(n *fakeNet, notify func()) *live.Client {
	return live.New(live.Config{
		Dial:      n.dial,
		AfterFunc: n.after,
		Backoff:   backoff.Policy{Base: time.Second, Max: 10 * time.Second, Rand: func() float64 { return 0 }},
		Notify:    notify,
	})
}

const update = `{"id":"%s","symbol":"AAPL","price":1.5,"timestamp":"2025-06-16T05:31:12.58Z"}`

func send(s *fakeStream, typ, id, data string) {
	s.h.Message(sse.Message{Type: typ, Data: data, LastEventID: id})
}

func TestReconnectsFromLastIDAfterTheBrowserGivesUp(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect([]string{"AAPL", "MSFT"})
	s := n.last()
	if s.url != "/stocks?symbols=AAPL%2CMSFT" {
		t.Fatalf("first url %s", s.url)
	}
	s.h.Open()
	send(s, "snapshot", "41", `[{"id":"41","symbol":"AAPL","price":1.25,"timestamp":"2025-06-16T05:31:12.58Z"}]`)
	send(s, "stockUpdate", "42", `{"id":"42","symbol":"AAPL","price":1.5,"timestamp":"2025-06-16T05:31:12.58Z"}`)
	if st, id := c.Status(); st != live.StatusLive || id != "42" {
		t.Fatalf("status %s id %s", st, id)
	}
	items, _ := c.Drain()
	if len(items) != 2 || items[0].Kind != message.Snapshot || items[1].Event.ID != "42" {
		t.Fatalf("items %+v", items)
	}

	s.state = sse.Closed
	s.h.Error(sse.Closed)
	if st, _ := c.Status(); st != live.StatusConnecting {
		t.Errorf("status after the first failure %s", st)
	}
	n.fire()
	s2 := n.last()
	if s2 == s || !s.closed {
		t.Fatal("the closed stream was not replaced and closed")
	}
	if s2.url != "/stocks?lastEventId=42&symbols=AAPL%2CMSFT" {
		t.Errorf("reconnect url %s", s2.url)
	}
	// A late callback of the old stream changes nothing.
	send(s, "stockUpdate", "43", `{"id":"43","symbol":"AAPL","price":9,"timestamp":"2025-06-16T05:31:12.58Z"}`)
	if items, _ := c.Drain(); len(items) != 0 {
		t.Errorf("old stream delivered %v", items)
	}
}

func TestBackoffGrowsUntilLive(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect(nil)
	var delays []time.Duration
	for range 4 {
		s := n.last()
		s.state = sse.Closed
		before := n.count()
		s.h.Error(sse.Closed)
		if n.count() != before+1 {
			t.Fatal("no reconnect scheduled")
		}
		delays = append(delays, n.delays[len(n.delays)-1])
		n.fire()
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}
	for i, d := range want {
		if delays[i] != d {
			t.Errorf("delay %d = %v, want %v", i, delays[i], d)
		}
	}
	if st, _ := c.Status(); st != live.StatusOffline {
		t.Errorf("status %s, want offline after failures", st)
	}
	n.last().h.Open()
	if st, _ := c.Status(); st != live.StatusLive {
		t.Errorf("status %s after open", st)
	}
}

func TestWatchdogReconnectsAClosedStream(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect(nil)
	if n.count() != 1 || n.delays[0] != live.CheckAfter {
		t.Fatalf("a new stream is not checked after %v: %v", live.CheckAfter, n.delays)
	}
	// Still connecting: the check looks again later, nothing else.
	n.fire()
	if n.count() != 2 || n.delays[1] != live.CheckAfter || len(n.streams) != 1 {
		t.Fatalf("a connecting stream: timers %v, streams %d", n.delays, len(n.streams))
	}
	n.last().state = sse.Closed // closed without an error event
	n.fire()
	if n.count() != 3 || n.delays[2] != 500*time.Millisecond {
		t.Fatalf("watchdog scheduled %v", n.delays)
	}
	c.Check()
	if n.count() != 3 {
		t.Error("watchdog scheduled a second reconnect while one is pending")
	}
	n.fire()
	if len(n.streams) != 2 {
		t.Error("the closed stream was not replaced")
	}
}

func TestAnOpenStreamIsNotWatched(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect(nil)
	s := n.last()
	s.state = sse.Open
	s.h.Open()
	n.fire() // the check armed at connect
	if n.count() != 1 {
		t.Errorf("an open stream is checked again: %v", n.delays)
	}
}

func TestNotifyOncePerDrain(t *testing.T) {
	n := &fakeNet{}
	var notified int
	c := newNotifyingClient(n, func() { notified++ })
	c.Connect(nil)
	s := n.last()
	s.h.Open()
	for i := range 100 {
		send(s, "stockUpdate", itoa(10+i), fmt.Sprintf(update, itoa(10+i)))
	}
	if notified != 1 {
		t.Fatalf("notified %d times before a drain, want 1", notified)
	}
	if items, dropped := c.Drain(); len(items) != 100 || dropped != 0 {
		t.Fatalf("drained %d, dropped %d", len(items), dropped)
	}
	send(s, "stockUpdate", "500", fmt.Sprintf(update, "500"))
	s.h.Error(sse.Connecting)
	if notified != 2 {
		t.Errorf("notified %d times after a drain and news, want 2", notified)
	}
}

func TestQueueOverflowIsReported(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect(nil)
	s := n.last()
	for i := range live.QueueLimit + 10 {
		send(s, "stockUpdate", itoa(10+i), fmt.Sprintf(update, itoa(10+i)))
	}
	items, dropped := c.Drain()
	if dropped == 0 || len(items)+dropped != live.QueueLimit+10 {
		t.Errorf("kept %d, dropped %d of %d", len(items), dropped, live.QueueLimit+10)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestBrowserRetryOnlyChangesStatus(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect(nil)
	s := n.last()
	s.h.Open()
	s.h.Error(sse.Connecting)
	if st, _ := c.Status(); st != live.StatusConnecting {
		t.Errorf("status %s", st)
	}
	if len(n.streams) != 1 {
		t.Error("a stream the browser is retrying was replaced")
	}
	for _, d := range n.delays {
		if d != live.CheckAfter {
			t.Errorf("a reconnect was scheduled after %v", d)
		}
	}
}

func TestCloseClosesTheStream(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect(nil)
	c.Close()
	if !n.last().closed {
		t.Error("stream left open")
	}
	c.Connect(nil)
	if len(n.streams) != 1 {
		t.Error("a closed client dialed again")
	}
}

func TestBadMessagesAreDropped(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect(nil)
	s := n.last()
	send(s, "stockUpdate", "1", `{"id":"1","symbol":"aapl!","price":1}`)
	send(s, "snapshot", "2", `not json`)
	send(s, "other", "3", `{}`)
	if items, _ := c.Drain(); len(items) != 0 {
		t.Errorf("bad messages queued: %v", items)
	}
}

func TestConflateReopensAfterTheLastEvent(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Conflate(250 * time.Millisecond) // before connecting: no stream to reopen
	if len(n.streams) != 0 {
		t.Fatal("Conflate opened a stream before Connect")
	}
	c.Connect(nil)
	s := n.last()
	if s.url != "/stocks?conflate=250ms" {
		t.Fatalf("url %s", s.url)
	}
	s.h.Open()
	send(s, "stockUpdate", "42", fmt.Sprintf(update, "42"))
	c.Conflate(0)
	s2 := n.last()
	if s2 == s || !s.closed || s2.url != "/stocks?lastEventId=42" {
		t.Fatalf("after Conflate(0): new stream %v, old closed %v, url %s", s2 != s, s.closed, s2.url)
	}
	c.Conflate(0) // unchanged: nothing reopens
	if n.last() != s2 {
		t.Error("an unchanged window reopened the stream")
	}
}

// TestNewsBeforeTheUIIsThereIsNotLost: the app opens the stream before the
// page mounts; what arrives meanwhile is told to the notify function set
// later, at once.
func TestNewsBeforeTheUIIsThereIsNotLost(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect(nil)
	s := n.last()
	s.h.Open()
	send(s, "snapshot", "41", `[]`)
	calls := 0
	c.SetNotify(func() { calls++ })
	if calls != 1 {
		t.Fatalf("notified %d times for the news that came first", calls)
	}
	send(s, "stockUpdate", "42", fmt.Sprintf(update, "42"))
	if calls != 1 {
		t.Fatalf("notified again before the UI drained")
	}
	if items, _ := c.Drain(); len(items) != 2 {
		t.Fatalf("drained %d", len(items))
	}
	send(s, "stockUpdate", "43", fmt.Sprintf(update, "43"))
	if calls != 2 {
		t.Fatalf("notified %d times", calls)
	}
	fresh := newClient(n)
	fresh.SetNotify(func() { t.Error("notified with nothing to tell") })
}

// TestDuplicatesAreSkipped: an update not newer than the last one received
// is not queued; a fresh Connect starts the count again.
func TestDuplicatesAreSkipped(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect(nil)
	s := n.last()
	send(s, "stockUpdate", "42", fmt.Sprintf(update, "42"))
	send(s, "stockUpdate", "42", fmt.Sprintf(update, "42"))
	send(s, "stockUpdate", "41", fmt.Sprintf(update, "41"))
	if items, _ := c.Drain(); len(items) != 1 {
		t.Fatalf("queued %d", len(items))
	}
	c.Connect([]string{"AAPL"})
	send(n.last(), "snapshot", "40", `[]`)
	if st, id := c.Status(); id != "40" || st != live.StatusLive {
		t.Errorf("after a fresh connect: %s %s", st, id)
	}
	if got := c.Symbols(); len(got) != 1 || got[0] != "AAPL" {
		t.Errorf("symbols %v", got)
	}
}

// vetter records the questions a client asks its Vet; the test answers
// them.
type vetter struct {
	mu      sync.Mutex
	answers []func(error)
}

func (v *vetter) vet(answer func(error)) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.answers = append(v.answers, answer)
}

func (v *vetter) asked() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.answers)
}

// answer answers question i.
func (v *vetter) answer(i int, refused error) {
	v.mu.Lock()
	a := v.answers[i]
	v.mu.Unlock()
	a(refused)
}

func newVettedClient(n *fakeNet, v *vetter) *live.Client {
	c := newClient(n)
	c.SetVet(v.vet)
	return c
}

var errRefused = errors.New("refused")

// TestAVettedFailureWaitsForTheAnswer: with a Vet, a failed stream is
// closed at once, even one the browser would retry by itself, and is
// replaced, from the last id, only once the Vet lets the page read.
func TestAVettedFailureWaitsForTheAnswer(t *testing.T) {
	for _, rs := range []sse.ReadyState{sse.Connecting, sse.Closed} {
		n, v := &fakeNet{}, &vetter{}
		c := newVettedClient(n, v)
		c.Connect(nil)
		s := n.last()
		s.h.Open()
		send(s, "stockUpdate", "42", fmt.Sprintf(update, "42"))
		timers := n.count()
		s.h.Error(rs)
		if !s.closed || v.asked() != 1 || n.count() != timers || len(n.streams) != 1 {
			t.Fatalf("readyState %d: closed %v, vets %d, timers %d→%d, streams %d", rs, s.closed, v.asked(), timers, n.count(), len(n.streams))
		}
		s.h.Error(rs) // a late error of the closed stream asks nothing more
		if v.asked() != 1 {
			t.Errorf("readyState %d: %d vets for one failure", rs, v.asked())
		}
		v.answer(0, nil)
		if n.count() != timers+1 || n.delays[len(n.delays)-1] != 500*time.Millisecond {
			t.Fatalf("readyState %d: no reconnect after the vet: %v", rs, n.delays)
		}
		n.fire()
		if s2 := n.last(); s2 == s || s2.url != "/stocks?lastEventId=42" {
			t.Errorf("readyState %d: reconnect %s", rs, s2.url)
		}
	}
}

// TestARefusalStopsUntilConnect: a refusal closes the stream, reports
// offline and schedules nothing; neither a reconnect nor a new window
// opens a stream, and Connect starts again from a snapshot.
func TestARefusalStopsUntilConnect(t *testing.T) {
	n, v := &fakeNet{}, &vetter{}
	var notified int
	c := newNotifyingClient(n, func() { notified++ })
	c.SetVet(v.vet)
	c.Connect([]string{"AAPL"})
	s := n.last()
	s.h.Open()
	send(s, "stockUpdate", "42", fmt.Sprintf(update, "42"))
	c.Drain()
	s.state = sse.Closed
	s.h.Error(sse.Closed)
	c.Drain()
	timers, before := n.count(), notified
	v.answer(0, errRefused)
	if st, _ := c.Status(); st != live.StatusOffline || n.count() != timers || notified != before+1 {
		t.Fatalf("after a refusal: status %s, timers %d→%d, notified %d→%d", st, timers, n.count(), before, notified)
	}
	c.Conflate(time.Second)
	c.Check()
	if len(n.streams) != 1 {
		t.Fatal("a stopped client opened a stream")
	}
	c.Connect([]string{"AAPL"})
	if len(n.streams) != 2 || n.last().url != "/stocks?conflate=1000ms&symbols=AAPL" {
		t.Fatalf("Connect after a refusal: %d streams, url %s", len(n.streams), n.last().url)
	}
	if st, _ := c.Status(); st != live.StatusConnecting {
		t.Errorf("status %s after Connect", st)
	}
}

// TestTheWatchdogVetsAStreamThatDoesNotOpen: a stream still connecting
// after CheckAfter is vetted while the browser goes on trying; a refusal
// closes it.
func TestTheWatchdogVetsAStreamThatDoesNotOpen(t *testing.T) {
	n, v := &fakeNet{}, &vetter{}
	c := newVettedClient(n, v)
	c.Connect(nil)
	s := n.last()
	n.fire() // the check armed at connect
	if v.asked() != 1 || s.closed {
		t.Fatalf("check of a connecting stream: %d vets, closed %v", v.asked(), s.closed)
	}
	n.fire() // the next check while the first vet is pending
	if v.asked() != 1 {
		t.Errorf("%d vets pending for one stream", v.asked())
	}
	v.answer(0, errRefused)
	if !s.closed {
		t.Error("a refused stream was left open")
	}
}

// TestAStaleAnswerChangesNothing: an answer about a stream that Connect
// replaced since neither stops the new one nor keeps it from being vetted
// when it fails.
func TestAStaleAnswerChangesNothing(t *testing.T) {
	n, v := &fakeNet{}, &vetter{}
	c := newVettedClient(n, v)
	c.Connect(nil)
	n.last().h.Error(sse.Closed)
	c.Connect([]string{"AAPL"})
	s := n.last()
	v.answer(0, errRefused)
	if s.closed {
		t.Fatal("a stale refusal closed the new stream")
	}
	s.h.Error(sse.Closed)
	if v.asked() != 2 {
		t.Fatalf("the new stream's failure asked %d vets in all, want 2", v.asked())
	}
	v.answer(1, nil)
	n.fire()
	if len(n.streams) != 3 {
		t.Errorf("the new stream was not replaced: %d streams", len(n.streams))
	}
}

// TestStopClosesAndKeepsWhatCame: Stop closes the stream and ignores its
// late callbacks; what came before it is still drained.
func TestStopClosesAndKeepsWhatCame(t *testing.T) {
	n := &fakeNet{}
	c := newClient(n)
	c.Connect(nil)
	s := n.last()
	s.h.Open()
	send(s, "stockUpdate", "42", fmt.Sprintf(update, "42"))
	c.Stop()
	send(s, "stockUpdate", "43", fmt.Sprintf(update, "43"))
	s.h.Error(sse.Closed)
	if !s.closed || n.count() != 1 {
		t.Fatalf("after Stop: closed %v, timers %v", s.closed, n.delays)
	}
	if items, _ := c.Drain(); len(items) != 1 || items[0].Event.ID != "42" {
		t.Errorf("drained %+v", items)
	}
	if st, _ := c.Status(); st != live.StatusOffline {
		t.Errorf("status %s", st)
	}
}
