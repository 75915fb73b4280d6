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
	group   *group // a conflated subscriber's group, set once by Add
	// sent is, for a conflated subscriber, the Seq of the last event it was
	// sent or skipped: later ones in its group are pending. It is atomic so
	// that Next never holds the subscriber's lock with its group's.
	sent atomic.Uint64

	mu       sync.Mutex
	queue    []*backend.Event
	floor    uint64 // events with Seq <= floor are not queued
	err      error
	ended    bool
	onEnd    func()
	onReady  func()
	notified bool          // onReady was called for the pending events
	done     chan struct{} // made by the first Done
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
	notify := s.readyLocked(len(s.queue) > n)
	s.mu.Unlock()
	if notify != nil {
		notify()
	}
	return true
}

// signal says "events are pending" for a conflated subscriber, at a tick
// of its window.
func (s *Subscriber) signal() {
	s.mu.Lock()
	notify := s.readyLocked(true)
	s.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// readyLocked returns the OnReady callback to call, once per batch of
// pending events, if added made events pending.
func (s *Subscriber) readyLocked(added bool) func() {
	if !added || s.notified || s.onReady == nil {
		return nil
	}
	s.notified = true
	return s.onReady
}

func (s *Subscriber) hasEnded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
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

// OnReady registers fn, called (outside the subscriber's lock) when events
// become pending that it was not yet called for since the last Next: at
// once for a queued subscriber (and now if some already are), at the next
// tick of its window for a conflated one.
func (s *Subscriber) OnReady(fn func()) {
	s.mu.Lock()
	s.onReady = fn
	s.notified = false
	notify := s.readyLocked(len(s.queue) > 0)
	s.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// Next appends the pending events to dst, in order, and returns it: for a
// conflated subscriber, the latest event of each symbol changed since the
// last Next.
func (s *Subscriber) Next(dst []*backend.Event) []*backend.Event {
	s.mu.Lock()
	s.notified = false
	if s.group != nil {
		s.mu.Unlock() // Next never holds the subscriber's lock with its group's
		n := len(dst)
		dst = s.group.since(s.sent.Load(), dst)
		if len(dst) > n {
			s.markSent(dst[len(dst)-1].Seq)
		}
		return dst
	}
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
// It is made on first use: a subscriber served through OnReady and OnEnd
// never pays for it.
func (s *Subscriber) Done() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		s.done = make(chan struct{})
		if s.err != nil {
			close(s.done)
		}
	}
	return s.done
}

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
	if s.done != nil {
		close(s.done)
	}
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
