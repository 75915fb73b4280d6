package fanout_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

func event(seq uint64) *backend.Event {
	return backend.NewEvent(seq, stock.StockPriceEvent{Symbol: "AAPL", Price: stock.PriceFromCents(int64(seq))})
}

func TestOnReadyOncePerBatchUntilNext(t *testing.T) {
	h := fanout.NewHub(100)
	s := h.Add(nil, 0)
	var calls atomic.Int32
	s.OnReady(func() { calls.Add(1) })
	if calls.Load() != 0 {
		t.Fatal("called with nothing pending")
	}
	h.Deliver([]*backend.Event{event(1)})
	h.Deliver([]*backend.Event{event(2), event(3)})
	if n := calls.Load(); n != 1 {
		t.Fatalf("three events before any Next: %d calls, want 1", n)
	}
	if got := s.Next(nil); len(got) != 3 {
		t.Fatalf("Next took %d events, want 3", len(got))
	}
	h.Deliver([]*backend.Event{event(4)})
	if n := calls.Load(); n != 2 {
		t.Fatalf("an event after Next: %d calls in all, want 2", n)
	}
}

func TestOnReadyFiltersAndSkipsCountNothing(t *testing.T) {
	h := fanout.NewHub(100)
	s := h.Add([]string{"MSFT"}, 0)
	var calls atomic.Int32
	s.OnReady(func() { calls.Add(1) })
	h.Deliver([]*backend.Event{event(1)}) // AAPL: filtered out
	if calls.Load() != 0 {
		t.Fatal("called for an event the filter dropped")
	}
}

func TestOnReadyAtOnceWhenEventsArePending(t *testing.T) {
	h := fanout.NewHub(100)
	s := h.Add(nil, 0)
	h.Deliver([]*backend.Event{event(1)})
	called := false
	s.OnReady(func() { called = true })
	if !called {
		t.Fatal("registered with an event pending, not called")
	}
}

// TestOnReadyLosesNoWakeUp has publishers and a consumer race: the consumer
// only takes events when its callback said so, and must end up with every
// event.
func TestOnReadyLosesNoWakeUp(t *testing.T) {
	const publishers, each = 4, 2000
	h := fanout.NewHub(publishers * each)
	s := h.Add(nil, 0)
	ready := backend.ReadyChan(s)
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for i := range each {
				h.Deliver([]*backend.Event{event(uint64(p*each + i + 1))})
			}
		})
	}
	got := 0
	var batch []*backend.Event
	for got < publishers*each {
		<-ready
		batch = s.Next(batch[:0])
		got += len(batch)
	}
	wg.Wait()
	if got != publishers*each {
		t.Fatalf("took %d events, want %d", got, publishers*each)
	}
}

func TestDoneMadeOnDemand(t *testing.T) {
	h := fanout.NewHub(1)
	before := h.Add(nil, 0)
	done := before.Done()
	after := h.Add(nil, 0)
	closed := h.Add(nil, 0)
	closed.Close()
	h.Close()
	for name, c := range map[string]<-chan struct{}{"asked before the end": done, "asked after the end": after.Done()} {
		select {
		case <-c:
		default:
			t.Errorf("Done %s is not closed", name)
		}
	}
	select {
	case <-closed.Done():
		t.Error("Done of a subscription ended by Close is closed")
	default:
	}
}

// TestCloseNeverWaitsBehindDeliver closes a subscriber while a Deliver holds
// the hub: Close must return at once, and the closed subscriber must be gone
// from the hub afterwards.
func TestCloseNeverWaitsBehindDeliver(t *testing.T) {
	h := fanout.NewHub(10)
	blocker := h.Add(nil, 0)
	inDeliver, release := make(chan struct{}), make(chan struct{})
	blocker.OnReady(func() {
		close(inDeliver)
		<-release // holds Deliver, and the hub's lock, until released
	})
	closing := h.Add(nil, 0)
	go h.Deliver([]*backend.Event{event(1)})
	<-inDeliver
	closing.Close() // must not block: the test would hang
	close(release)
	if n := h.Len(); n != 1 {
		t.Fatalf("%d subscribers after one of two closed, want 1", n)
	}
}
