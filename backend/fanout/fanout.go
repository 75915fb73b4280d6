// Package fanout delivers published events to many subscribers without ever
// blocking the publisher. Each subscriber has a bounded queue; a subscriber
// that overflows it is disconnected with backend.ErrSlowSubscriber and
// resumes with Last-Event-ID. Brokers use one Hub for their local
// subscribers.
package fanout

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/stockstream/stockstream/backend"
)

// DefaultQueue is the number of events a subscriber may have pending before
// it is disconnected as too slow.
const DefaultQueue = 4096

// Hub is the set of local subscribers of one broker.
type Hub struct {
	mu       sync.Mutex
	subs     map[*Subscriber]struct{}
	maxQueue int
	closed   bool
	// lingering counts subscribers closed while the lock was busy: they
	// are still in subs, to be dropped by the next sweep or Deliver.
	lingering atomic.Int64
}

// NewHub returns a Hub whose subscribers may each have maxQueue events
// pending (DefaultQueue if maxQueue <= 0).
func NewHub(maxQueue int) *Hub {
	if maxQueue <= 0 {
		maxQueue = DefaultQueue
	}
	return &Hub{subs: make(map[*Subscriber]struct{}), maxQueue: maxQueue}
}

// Add registers a subscriber for the given symbols (all if empty). Events
// delivered after Add returns reach it; callers that replay history call Add
// first so that nothing published meanwhile is missed.
func (h *Hub) Add(symbols []string) *Subscriber {
	s := &Subscriber{hub: h, max: h.maxQueue}
	if len(symbols) > 0 {
		s.symbols = slices.Clone(symbols)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.end(backend.ErrClosed)
		return s
	}
	if n := h.lingering.Load(); n > 0 && int(n) >= len(h.subs)/2 {
		h.sweepLocked()
	}
	h.subs[s] = struct{}{}
	return s
}

// Deliver queues events, in order, to every subscriber whose filter matches.
// It never blocks on a subscriber.
func (h *Hub) Deliver(events []*backend.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if !s.push(events) {
			delete(h.subs, s)
		}
	}
}

// Len returns the number of registered subscribers.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sweepLocked()
	return len(h.subs)
}

// sweepLocked drops the subscribers that have ended.
func (h *Hub) sweepLocked() {
	h.lingering.Store(0)
	for s := range h.subs {
		if s.hasEnded() {
			delete(h.subs, s)
		}
	}
}

// Close ends every subscription with backend.ErrClosed; later Adds return
// subscriptions that are already ended.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		s.end(backend.ErrClosed)
		delete(h.subs, s)
	}
}

// remove drops a closed subscriber. It does not wait behind a Deliver to
// many subscribers, which holds the lock for a while: when the lock is busy
// the subscriber lingers, ended, until the next Deliver or sweep drops it.
// So ending streams en masse never stalls whoever closes them.
func (h *Hub) remove(s *Subscriber) {
	if !h.mu.TryLock() {
		h.lingering.Add(1)
		return
	}
	delete(h.subs, s)
	h.mu.Unlock()
}

// Subscriber is one registered subscriber; it implements
// backend.Subscription.
type Subscriber struct {
	hub     *Hub
	symbols []string // nil: every symbol
	max     int

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

// SkipThrough drops queued events with Seq <= seq and keeps later ones with
// such a Seq out, for brokers whose replay overlaps the live events.
func (s *Subscriber) SkipThrough(seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.floor {
		return
	}
	s.floor = seq
	s.queue = slices.DeleteFunc(s.queue, func(ev *backend.Event) bool { return ev.Seq <= seq })
}

// OnReady registers fn, called (outside the subscriber's lock) when events
// become pending that it was not yet called for since the last Next; at
// once if some already are.
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

// Next appends the pending events to dst, in order, and returns it.
func (s *Subscriber) Next(dst []*backend.Event) []*backend.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notified = false
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
