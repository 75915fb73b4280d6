package fanout_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

// events returns events with consecutive ids from first, cycling through
// symbols.
func events(first uint64, n int, symbols ...string) []*backend.Event {
	out := make([]*backend.Event, n)
	for i := range out {
		out[i] = backend.NewEvent(first+uint64(i), stock.StockPriceEvent{
			Symbol:    symbols[i%len(symbols)],
			Price:     stock.PriceFromCents(int64(100 + i)),
			Timestamp: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC),
		})
	}
	return out
}

func seqs(evs []*backend.Event) string {
	s := ""
	for _, ev := range evs {
		s += fmt.Sprintf("%d%s ", ev.Seq, ev.Stock.Symbol)
	}
	return s
}

// newHub returns a hub holding history events for replay, whose
// subscribers may fall lag events behind, starting after id 0.
func newHub(history, lag int) *fanout.Hub {
	return fanout.NewHub(fanout.Options{History: history, Lag: lag})
}

// watched is a subscriber with the signals of its Notify callback.
type watched struct {
	*fanout.Subscriber
	ready chan struct{} // holds a value while a signal is untaken
	ends  atomic.Int32  // calls with ended true
	calls atomic.Int32  // calls with ended false
}

// add registers a subscriber and watches its notifications, as a stream
// does.
func add(h *fanout.Hub, req backend.SubscribeRequest) *watched {
	sub, _ := h.Add(req)
	w := &watched{Subscriber: sub, ready: make(chan struct{}, 1)}
	sub.Notify(func(ended bool) {
		if ended {
			w.ends.Add(1)
		} else {
			w.calls.Add(1)
		}
		select {
		case w.ready <- struct{}{}:
		default:
		}
	})
	return w
}

// plain is a request for every symbol, unconflated.
var plain = backend.SubscribeRequest{}

// ready reports whether w was signalled since the last look.
func (w *watched) ready1() bool {
	select {
	case <-w.ready:
		return true
	default:
		return false
	}
}

// all takes every pending event.
func (w *watched) all() []*backend.Event { return w.Next(nil, 1<<20) }

func TestDeliverInOrderFiltered(t *testing.T) {
	h := newHub(100, 0)
	all, msft := add(h, plain), add(h, backend.SubscribeRequest{Symbols: []string{"MSFT"}})
	if all.ready1() {
		t.Fatal("ready before any event")
	}
	h.Deliver(events(1, 4, "AAPL", "MSFT"))
	h.Deliver(events(5, 2, "GOOG"))
	if !all.ready1() || !msft.ready1() {
		t.Fatal("not ready after delivery")
	}
	if got := seqs(all.all()); got != "1AAPL 2MSFT 3AAPL 4MSFT 5GOOG 6GOOG " {
		t.Fatalf("all got %s", got)
	}
	if got := seqs(msft.all()); got != "2MSFT 4MSFT " {
		t.Fatalf("MSFT filter got %s", got)
	}
	if got := all.all(); len(got) != 0 {
		t.Fatalf("Next again got %s, want nothing", seqs(got))
	}
}

func TestNotifyOncePerBatchUntilNextTakesAll(t *testing.T) {
	h := newHub(100, 0)
	s := add(h, plain)
	h.Deliver(events(1, 1, "AAPL"))
	h.Deliver(events(2, 2, "AAPL"))
	if n := s.calls.Load(); n != 1 {
		t.Fatalf("three events before any Next: %d calls, want 1", n)
	}
	if got := s.Next(nil, 2); len(got) != 2 {
		t.Fatalf("Next(2) took %d events", len(got))
	}
	h.Deliver(events(4, 1, "AAPL"))
	if n := s.calls.Load(); n != 1 {
		t.Fatalf("an event while one was still pending: %d calls in all, want 1", n)
	}
	if got := seqs(s.all()); got != "3AAPL 4AAPL " {
		t.Fatalf("then Next took %s", got)
	}
	h.Deliver(events(5, 1, "AAPL"))
	if n := s.calls.Load(); n != 2 {
		t.Fatalf("an event after Next took everything: %d calls in all, want 2", n)
	}
}

func TestNotifyNotForFilteredEvents(t *testing.T) {
	h := newHub(100, 0)
	s := add(h, backend.SubscribeRequest{Symbols: []string{"MSFT"}})
	h.Deliver(events(1, 5, "AAPL"))
	if s.calls.Load() != 0 || len(s.all()) != 0 {
		t.Fatal("notified of events the filter drops")
	}
}

func TestNotifyAtOnceWhenEventsArePending(t *testing.T) {
	h := newHub(100, 0)
	sub, _ := h.Add(plain)
	h.Deliver(events(1, 1, "AAPL"))
	called := false
	sub.Notify(func(bool) { called = true })
	if !called {
		t.Fatal("registered with an event pending, not called")
	}
}

// TestSlowSubscriberEnded delivers more events than the ring holds to a
// subscriber that never reads: it alone is ended, told once, and a
// subscriber that reads gets everything.
func TestSlowSubscriberEnded(t *testing.T) {
	h := newHub(4, 8) // the ring holds 8
	slow, fast := add(h, plain), add(h, plain)
	var got []*backend.Event
	for i := range 20 {
		h.Deliver(events(uint64(1+i), 1, "AAPL"))
		got = append(got, fast.all()...)
	}
	if !errors.Is(slow.Err(), backend.ErrSlowSubscriber) || slow.ends.Load() != 1 {
		t.Fatalf("a subscriber 20 events behind a ring of 8: err %v, told %d times; want ErrSlowSubscriber once", slow.Err(), slow.ends.Load())
	}
	if len(got) != 20 || fast.Err() != nil || h.Len() != 1 {
		t.Fatalf("fast got %d events, err %v, hub holds %d; want 20, nil, 1", len(got), fast.Err(), h.Len())
	}
	if got := slow.all(); len(got) != 0 {
		t.Fatalf("an ended subscriber got %s", seqs(got))
	}
}

// TestBurstCostsLag delivers one batch larger than a subscriber's usual
// lag but within the ring: the subscriber reads it in chunks and stays.
func TestBurstCostsLag(t *testing.T) {
	h := newHub(6000, 100)
	s := add(h, plain)
	h.Deliver(events(1, 5000, "AAPL", "MSFT"))
	n := 0
	for {
		chunk := s.Next(nil, 256)
		if len(chunk) == 0 {
			break
		}
		if len(chunk) > 256 || chunk[0].Seq != uint64(n+1) {
			t.Fatalf("chunk of %d from %d after %d events", len(chunk), chunk[0].Seq, n)
		}
		n += len(chunk)
	}
	if n != 5000 || s.Err() != nil {
		t.Fatalf("read %d of a 5,000 burst, err %v", n, s.Err())
	}
}

// TestFilteredIdleSubscriberIsNeverSlow delivers many times the ring of
// events a filtered subscriber does not want: it is not behind, so it
// stays, and gets its next event.
func TestFilteredIdleSubscriberIsNeverSlow(t *testing.T) {
	h := newHub(10, 0)
	s := add(h, backend.SubscribeRequest{Symbols: []string{"MSFT"}})
	h.Deliver(events(1, 1, "MSFT"))
	s.all()
	for i := range 100 {
		h.Deliver(events(uint64(2+i), 1, "AAPL"))
	}
	h.Deliver(events(102, 1, "MSFT"))
	if got := seqs(s.all()); got != "102MSFT " || s.Err() != nil {
		t.Fatalf("after 100 unwanted events: got %q, err %v", got, s.Err())
	}
}

func TestResume(t *testing.T) {
	h := fanout.NewHub(fanout.Options{History: 10, MaxReplay: 8, Head: 100})
	if sub, resumed := h.Add(backend.SubscribeRequest{LastEventID: "100"}); !resumed || len(sub.Next(nil, 10)) != 0 {
		t.Fatal("resume from the start head before any event: want resumed, nothing pending")
	}
	h.Deliver(events(101, 5, "AAPL", "MSFT"))
	cases := []struct {
		id      string
		symbols []string
		resumed bool
		want    string
	}{
		{"100", nil, true, "101AAPL 102MSFT 103AAPL 104MSFT 105AAPL "},
		{"103", nil, true, "104MSFT 105AAPL "},
		{"105", nil, true, ""},
		{"102", []string{"MSFT"}, true, "104MSFT "},
		{"99", nil, false, ""},   // before the start
		{"106", nil, false, ""},  // from the future
		{"abc", nil, false, ""},  // garbage
		{"", nil, false, ""},     // fresh
		{"1e3", nil, false, ""},  // not an id
		{" 103", nil, false, ""}, // not an id
	}
	for _, c := range cases {
		sub, resumed := h.Add(backend.SubscribeRequest{LastEventID: c.id, Symbols: c.symbols})
		if got := seqs(sub.Next(nil, 100)); resumed != c.resumed || got != c.want {
			t.Errorf("resume from %q %v: resumed=%v got %q, want %v %q", c.id, c.symbols, resumed, got, c.resumed, c.want)
		}
	}
	h.Deliver(events(106, 10, "AAPL"))
	for id, want := range map[string]bool{"106": false, "107": true} {
		if _, resumed := h.Add(backend.SubscribeRequest{LastEventID: id}); resumed != want {
			t.Errorf("replay bound 8, head 115: resume from %s resumed=%v, want %v", id, resumed, want)
		}
	}
	h = fanout.NewHub(fanout.Options{History: 10, Lag: 100, Head: 100})
	h.Deliver(events(101, 15, "AAPL"))
	for id, want := range map[string]bool{"104": false, "105": true} {
		if _, resumed := h.Add(backend.SubscribeRequest{LastEventID: id}); resumed != want {
			t.Errorf("history 10 in a ring of 100, head 115: resume from %s resumed=%v, want %v", id, resumed, want)
		}
	}
}

func TestSkipThrough(t *testing.T) {
	h := newHub(100, 0)
	sub := add(h, plain)
	all := events(1, 7, "AAPL", "MSFT", "GOOG")
	h.Deliver(all[:2])
	sub.SkipThrough(4) // a snapshot covered 1…4: 1 and 2 go
	sub.SkipThrough(2) // lower: no effect
	h.Deliver(all[2:]) // 3 and 4 are kept out
	if got := seqs(sub.all()); got != "5MSFT 6GOOG 7AAPL " {
		t.Fatalf("after SkipThrough(4): %s, want 5, 6, 7 once", got)
	}
}

func TestClose(t *testing.T) {
	h := newHub(100, 0)
	sub, other := add(h, plain), add(h, plain)
	h.Deliver(events(1, 2, "AAPL"))
	sub.Close()
	sub.Close()
	h.Deliver(events(3, 2, "AAPL"))
	if got := sub.all(); len(got) != 0 || h.Len() != 1 || sub.Err() != nil || sub.ends.Load() != 0 {
		t.Fatalf("closed subscriber: got %s, hub holds %d, err %v, told of an end %d times", seqs(got), h.Len(), sub.Err(), sub.ends.Load())
	}
	h.Close()
	if !errors.Is(other.Err(), backend.ErrClosed) || other.ends.Load() != 1 || h.Len() != 0 {
		t.Fatalf("Hub.Close: err=%v ends=%d len=%d", other.Err(), other.ends.Load(), h.Len())
	}
	if late := add(h, plain); !errors.Is(late.Err(), backend.ErrClosed) || late.ends.Load() != 1 {
		t.Fatalf("Add after Close: err=%v, told %d times", late.Err(), late.ends.Load())
	}
}

// TestNotifyLosesNoWakeUp has publishers and a consumer race: the consumer
// only takes events when its callback said so, and must end up with every
// event.
func TestNotifyLosesNoWakeUp(t *testing.T) {
	const publishers, each = 4, 2000
	h := newHub(publishers*each, 0)
	s := add(h, plain)
	var wg sync.WaitGroup
	var seq atomic.Uint64
	var mu sync.Mutex // Deliver takes events in id order
	for range publishers {
		wg.Go(func() {
			for range each {
				mu.Lock()
				h.Deliver(events(seq.Add(1), 1, "AAPL"))
				mu.Unlock()
			}
		})
	}
	got := 0
	for got < publishers*each {
		<-s.ready
		got += len(s.Next(nil, 100))
		for n := len(s.Next(nil, 100)); n > 0; n = len(s.Next(nil, 100)) {
			got += n
		}
	}
	wg.Wait()
	if got != publishers*each {
		t.Fatalf("took %d events, want %d", got, publishers*each)
	}
}

// TestReadRacingDeliverNeverReadsAnOverwrittenSlot reads a small ring
// while a publisher overwrites it as fast as it can: every event read
// follows the one before it, and a reader that falls out of the ring ends
// as slow instead of reading a newer event in an old slot.
func TestReadRacingDeliverNeverReadsAnOverwrittenSlot(t *testing.T) {
	h := newHub(4, 8)
	s := add(h, plain)
	const n = 20000
	go func() {
		for i := range n {
			h.Deliver(events(uint64(1+i), 1, "AAPL"))
		}
	}()
	var last uint64
	for s.Err() == nil && last < n {
		for _, ev := range s.Next(nil, 3) {
			if ev.Seq != last+1 {
				t.Fatalf("read %d after %d", ev.Seq, last)
			}
			last = ev.Seq
		}
	}
	if err := s.Err(); err != nil && !errors.Is(err, backend.ErrSlowSubscriber) {
		t.Fatalf("ended with %v", err)
	}
	if s.Err() != nil && s.ends.Load() != 1 {
		t.Fatalf("ended as slow, told %d times, want once: its stream must learn of it", s.ends.Load())
	}
}

// TestCloseNeverWaitsBehindDeliver closes a subscriber while a Deliver holds
// the hub: Close must return at once, and the closed subscriber must be gone
// from the hub afterwards.
func TestCloseNeverWaitsBehindDeliver(t *testing.T) {
	h := newHub(10, 0)
	blocker, _ := h.Add(plain)
	inDeliver, release := make(chan struct{}), make(chan struct{})
	blocker.Notify(func(bool) {
		close(inDeliver)
		<-release // holds Deliver, and the hub's lock, until released
	})
	closing, _ := h.Add(plain)
	go h.Deliver(events(1, 1, "AAPL"))
	<-inDeliver
	closing.Close() // must not block: the test would hang
	close(release)
	if n := h.Len(); n != 1 {
		t.Fatalf("%d subscribers after one of two closed, want 1", n)
	}
}
