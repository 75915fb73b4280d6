package fanout_test

import (
	"errors"
	"fmt"
	"sync"
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

// readyChans holds the channel that each subscriber made by add signals.
var readyChans sync.Map // *fanout.Subscriber → <-chan struct{}

// add registers a subscriber with a readiness channel, as a consumer with a
// goroutine of its own does.
func add(h *fanout.Hub, symbols []string, conflate time.Duration) *fanout.Subscriber {
	sub := h.Add(symbols, conflate)
	readyChans.Store(sub, backend.ReadyChan(sub))
	return sub
}

// ready reports whether sub, made by add, has been signalled, consuming
// the signal.
func ready(sub *fanout.Subscriber) bool { return received(readyOf(sub)) }

// readyOf returns the readiness channel of sub, made by add.
func readyOf(sub *fanout.Subscriber) <-chan struct{} {
	c, _ := readyChans.Load(sub)
	return c.(<-chan struct{})
}

// ended reports whether sub's Done is closed.
func ended(sub *fanout.Subscriber) bool { return received(sub.Done()) }

func received(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func TestDeliverInOrderFiltered(t *testing.T) {
	h := fanout.NewHub(100)
	all, msft := add(h, nil, 0), add(h, []string{"MSFT"}, 0)
	if ready(all) {
		t.Fatal("ready before any event")
	}
	h.Deliver(events(1, 4, "AAPL", "MSFT"))
	h.Deliver(events(5, 2, "GOOG"))
	if !ready(all) || !ready(msft) {
		t.Fatal("not ready after delivery")
	}
	if got := seqs(all.Next(nil)); got != "1AAPL 2MSFT 3AAPL 4MSFT 5GOOG 6GOOG " {
		t.Fatalf("all got %s", got)
	}
	if got := seqs(msft.Next(nil)); got != "2MSFT 4MSFT " {
		t.Fatalf("MSFT filter got %s", got)
	}
	if got := all.Next(nil); len(got) != 0 {
		t.Fatalf("Next again got %s, want nothing", seqs(got))
	}
}

func TestOverflowEndsOnlyTheSlowSubscriber(t *testing.T) {
	h := fanout.NewHub(4)
	slow, fast := add(h, nil, 0), add(h, nil, 0)
	calls := 0
	slow.OnEnd(func() { calls++ })
	for i := range 5 {
		h.Deliver(events(uint64(1+i), 1, "AAPL"))
		fast.Next(nil)
	}
	if !ended(slow) || !errors.Is(slow.Err(), backend.ErrSlowSubscriber) {
		t.Fatalf("5 events in a queue of 4: ended=%v err=%v, want ErrSlowSubscriber", ended(slow), slow.Err())
	}
	if calls != 1 || ended(fast) || fast.Err() != nil || h.Len() != 1 {
		t.Fatalf("OnEnd calls %d, fast ended %v (%v), hub holds %d: want 1, false, 1", calls, ended(fast), fast.Err(), h.Len())
	}
	h.Deliver(events(6, 5, "AAPL"))
	if got := slow.Next(nil); len(got) != 0 || calls != 1 {
		t.Fatalf("ended subscriber got %s and OnEnd %d calls", seqs(got), calls)
	}
}

func TestOnEnd(t *testing.T) {
	h := fanout.NewHub(1)
	closed := add(h, nil, 0)
	calls := 0
	closed.OnEnd(func() { calls++ })
	closed.Close()
	h.Close()
	if calls != 0 || ended(closed) {
		t.Fatalf("Close ran OnEnd %d times, Done closed %v: Close is not an end", calls, ended(closed))
	}

	h = fanout.NewHub(1)
	sub := add(h, nil, 0)
	h.Deliver(events(1, 2, "AAPL")) // overflows
	sub.OnEnd(func() { calls++ })
	if calls != 1 {
		t.Fatalf("OnEnd after the end ran %d times, want at once", calls)
	}
}

func TestSkipThrough(t *testing.T) {
	h := fanout.NewHub(100)
	sub := add(h, nil, 0)
	all := events(1, 7, "AAPL", "MSFT", "GOOG")
	h.Deliver(all[:2])
	sub.SkipThrough(4) // a replay covered 1…4: 1 and 2 go
	sub.SkipThrough(2) // lower: no effect
	h.Deliver(all[2:]) // 3 and 4 are kept out
	if got := seqs(sub.Next(nil)); got != "5MSFT 6GOOG 7AAPL " {
		t.Fatalf("after SkipThrough(4): %s, want 5, 6, 7 once", got)
	}
}

func TestClose(t *testing.T) {
	h := fanout.NewHub(100)
	sub, other := add(h, nil, 0), add(h, nil, 0)
	h.Deliver(events(1, 2, "AAPL"))
	sub.Close()
	sub.Close()
	h.Deliver(events(3, 2, "AAPL"))
	if got := sub.Next(nil); len(got) != 0 || h.Len() != 1 || sub.Err() != nil {
		t.Fatalf("closed subscriber: got %s, hub holds %d, err %v", seqs(got), h.Len(), sub.Err())
	}
	h.Close()
	if !ended(other) || !errors.Is(other.Err(), backend.ErrClosed) || h.Len() != 0 {
		t.Fatalf("Hub.Close: ended=%v err=%v len=%d", ended(other), other.Err(), h.Len())
	}
	if late := add(h, nil, 0); !ended(late) || !errors.Is(late.Err(), backend.ErrClosed) {
		t.Fatalf("Add after Close: ended=%v err=%v", ended(late), late.Err())
	}
}
