package fanout

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/stockstream/stockstream/backend"
)

// Subscriber is one registered subscriber; it implements
// backend.Subscription.
type Subscriber struct {
	hub     *Hub
	symbols []string // nil: every symbol
	max     int
	window  time.Duration // 0: every event is queued; else conflated
	ready   chan struct{} // capacity 1: "events are pending"
	done    chan struct{}

	mu     sync.Mutex
	queue  []*backend.Event
	latest map[string]*backend.Event // conflated: the latest pending event per symbol
	floor  uint64                    // events with Seq <= floor are not queued
	err    error
	ended  bool
	onEnd  func()
}

var _ backend.Subscription = (*Subscriber)(nil)

// push queues the matching events, or for a conflated subscriber keeps the
// latest per symbol. It returns false when the subscriber overflowed (and
// is now ended) or had already ended.
func (s *Subscriber) push(events []*backend.Event) bool {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return false
	}
	added := false
	for _, ev := range events {
		if ev.Seq <= s.floor || !s.Wants(ev.Stock.Symbol) {
			continue
		}
		added = true
		if s.latest != nil {
			s.latest[ev.Stock.Symbol] = ev
		} else {
			s.queue = append(s.queue, ev)
		}
	}
	if len(s.queue) > s.max {
		s.queue = nil
		s.endLocked(backend.ErrSlowSubscriber)
		s.mu.Unlock()
		return false
	}
	s.mu.Unlock()
	if added && s.window == 0 {
		s.signal()
	}
	return true
}

// release makes a conflated subscriber ready if events are pending: its
// window's ticker calls it.
func (s *Subscriber) release() {
	s.mu.Lock()
	pending := len(s.latest) > 0 && !s.ended
	s.mu.Unlock()
	if pending {
		s.signal()
	}
}

// signal says "events are pending": the one place that makes a subscriber
// ready, for the publisher and the window ticker alike.
func (s *Subscriber) signal() {
	select {
	case s.ready <- struct{}{}:
	default: // already signalled
	}
}

// Wants reports whether the subscriber's filter lets symbol through.
func (s *Subscriber) Wants(symbol string) bool {
	return s.symbols == nil || slices.Contains(s.symbols, symbol)
}

// Conflate returns what the subscriber is sent of events, a replay in id
// order: all of them, or for a conflated subscriber the latest event of
// each symbol, still in id order.
func (s *Subscriber) Conflate(events []*backend.Event) []*backend.Event {
	if s.window == 0 || len(events) == 0 {
		return events
	}
	last := make(map[string]uint64)
	for _, ev := range events {
		last[ev.Stock.Symbol] = ev.Seq
	}
	out := make([]*backend.Event, 0, len(last))
	for _, ev := range events {
		if last[ev.Stock.Symbol] == ev.Seq {
			out = append(out, ev)
		}
	}
	return out
}

// SkipThrough drops pending events with Seq <= seq and keeps later ones with
// such a Seq out, for brokers whose replay overlaps the live events.
func (s *Subscriber) SkipThrough(seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.floor {
		return
	}
	s.floor = seq
	s.queue = slices.DeleteFunc(s.queue, func(ev *backend.Event) bool { return ev.Seq <= seq })
	maps.DeleteFunc(s.latest, func(_ string, ev *backend.Event) bool { return ev.Seq <= seq })
}

// Ready is signalled when events are pending: at once for a plain
// subscriber, at the next tick of its window for a conflated one.
func (s *Subscriber) Ready() <-chan struct{} { return s.ready }

// Next appends the pending events to dst, in order, and returns it.
func (s *Subscriber) Next(dst []*backend.Event) []*backend.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.latest != nil {
		n := len(dst)
		for _, ev := range s.latest {
			dst = append(dst, ev)
		}
		clear(s.latest)
		slices.SortFunc(dst[n:], func(a, b *backend.Event) int { return cmp.Compare(a.Seq, b.Seq) })
		return dst
	}
	dst = append(dst, s.queue...)
	clear(s.queue)
	if cap(s.queue) > 256 {
		s.queue = nil // give a burst's memory back
	} else {
		s.queue = s.queue[:0]
	}
	return dst
}

// Done is closed when the subscription ended for a reason other than Close.
func (s *Subscriber) Done() <-chan struct{} { return s.done }

// Err says why the subscription ended, or nil while it runs.
func (s *Subscriber) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close unregisters the subscriber; it is safe to call more than once.
func (s *Subscriber) Close() {
	s.hub.remove(s)
	s.mu.Lock()
	s.ended = true
	s.queue = nil
	clear(s.latest)
	s.mu.Unlock()
}

func (s *Subscriber) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.endLocked(err)
}

// endLocked ends the subscription exactly once.
func (s *Subscriber) endLocked(err error) {
	if s.ended {
		return
	}
	s.ended, s.err = true, err
	close(s.done)
	if s.onEnd != nil {
		s.onEnd()
	}
}

// OnEnd registers fn to run once when the subscription ends for a reason
// other than Close, or runs it now if it already has.
func (s *Subscriber) OnEnd(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		if s.err != nil {
			fn()
		}
		return
	}
	s.onEnd = fn
}
