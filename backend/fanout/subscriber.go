package fanout

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/stockstream/stockstream/backend"
)

// Subscriber is one registered subscriber; it implements
// backend.Subscription.
type Subscriber struct {
	hub     *Hub
	symbols []string // nil: every symbol
	max     int
	group   *group        // a conflated subscriber's group, set once by Add
	ready   chan struct{} // capacity 1: "events are pending"
	done    chan struct{}
	// sent is, for a conflated subscriber, the Seq of the last event it was
	// sent or skipped: later ones in its group are pending. It is atomic so
	// that Next never holds the subscriber's lock with its group's.
	sent atomic.Uint64

	mu    sync.Mutex
	queue []*backend.Event
	floor uint64 // events with Seq <= floor are not queued
	err   error
	ended bool
	onEnd func()
}

var _ backend.Subscription = (*Subscriber)(nil)

// push queues the matching events. It returns false when the subscriber
// overflowed (and is now ended) or had already ended.
func (s *Subscriber) push(events []*backend.Event) bool {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return false
	}
	n := len(s.queue)
	for _, ev := range events {
		if ev.Seq > s.floor && s.Wants(ev.Stock.Symbol) {
			s.queue = append(s.queue, ev)
		}
	}
	if len(s.queue) > s.max {
		s.queue = nil
		s.endLocked(backend.ErrSlowSubscriber)
		s.mu.Unlock()
		return false
	}
	added := len(s.queue) > n
	s.mu.Unlock()
	if added {
		s.signal()
	}
	return true
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
	s.markSent(seq)
}

// markSent raises the Seq of the last event a conflated subscriber was
// sent.
func (s *Subscriber) markSent(seq uint64) {
	for {
		sent := s.sent.Load()
		if seq <= sent || s.sent.CompareAndSwap(sent, seq) {
			return
		}
	}
}

// Ready is signalled when events are pending: at once for a queued
// subscriber, at the next tick of its window for a conflated one.
func (s *Subscriber) Ready() <-chan struct{} { return s.ready }

// Next appends the pending events to dst, in order, and returns it: for a
// conflated subscriber, the latest event of each symbol changed since the
// last Next.
func (s *Subscriber) Next(dst []*backend.Event) []*backend.Event {
	if s.group != nil {
		n := len(dst)
		dst = s.group.since(s.sent.Load(), dst)
		if len(dst) > n {
			s.markSent(dst[len(dst)-1].Seq)
		}
		return dst
	}
	s.mu.Lock()
	defer s.mu.Unlock()
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
