// Package fanout delivers published events to many subscribers without ever
// blocking the publisher. Each subscriber has a bounded queue; a subscriber
// that overflows it is disconnected with backend.ErrSlowSubscriber and
// resumes with Last-Event-ID. Conflated subscribers have no queue: those
// of one window length and symbol filter share the latest event of each
// symbol, and a ticker shared by every subscriber of the window length
// makes them ready once per window; they never overflow. Brokers use one
// Hub for their local subscribers.
package fanout

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stockstream/stockstream/backend"
)

// DefaultQueue is the number of events a subscriber may have pending before
// it is disconnected as too slow.
const DefaultQueue = 4096

// Hub is the set of local subscribers of one broker.
type Hub struct {
	mu       sync.Mutex
	subs     map[*Subscriber]struct{} // queued subscribers
	windows  map[time.Duration]*window
	last     uint64 // Seq of the last event delivered
	maxQueue int
	closed   bool
	// lingering counts queued subscribers closed while the lock was busy:
	// they are still in subs, to be dropped by the next sweep or Deliver.
	lingering atomic.Int64
}

// NewHub returns a Hub whose subscribers may each have maxQueue events
// pending (DefaultQueue if maxQueue <= 0).
func NewHub(maxQueue int) *Hub {
	if maxQueue <= 0 {
		maxQueue = DefaultQueue
	}
	return &Hub{
		subs:     make(map[*Subscriber]struct{}),
		windows:  make(map[time.Duration]*window),
		maxQueue: maxQueue,
	}
}

// Add registers a subscriber for the given symbols (all if empty),
// conflated over conflate if it is positive. Events delivered after Add
// returns reach it; callers that replay history call Add first so that
// nothing published meanwhile is missed.
func (h *Hub) Add(symbols []string, conflate time.Duration) *Subscriber {
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
	if conflate > 0 {
		s.sent.Store(h.last)
		h.joinLocked(s, conflate)
		return s
	}
	if n := h.lingering.Load(); n > 0 && int(n) >= len(h.subs)/2 {
		h.sweepLocked()
	}
	h.subs[s] = struct{}{}
	return s
}

// Deliver queues events, in order, to every subscriber whose filter
// matches, and makes them the latest of their symbols for conflated ones.
// It never blocks on a subscriber.
func (h *Hub) Deliver(events []*backend.Event) {
	if len(events) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = events[len(events)-1].Seq
	for s := range h.subs {
		if !s.push(events) {
			delete(h.subs, s)
		}
	}
	for _, w := range h.windows {
		w.deliver(events)
	}
}

// Len returns the number of registered subscribers.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sweepLocked()
	n := len(h.subs)
	for _, w := range h.windows {
		n += w.len()
	}
	return n
}

// sweepLocked drops the queued subscribers that have ended.
func (h *Hub) sweepLocked() {
	h.lingering.Store(0)
	for s := range h.subs {
		if s.hasEnded() {
			delete(h.subs, s)
		}
	}
}

// Close ends every subscription with backend.ErrClosed and stops every
// window's ticker; later Adds return subscriptions that are already ended.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		s.end(backend.ErrClosed)
		delete(h.subs, s)
	}
	for d, w := range h.windows {
		w.close()
		delete(h.windows, d)
	}
}

// remove unregisters s. A queued subscriber does not wait behind a
// Deliver to many subscribers, which holds the lock for a while: when the
// lock is busy it lingers, ended, until the next Deliver or sweep drops it,
// so ending streams en masse never stalls whoever closes them.
func (h *Hub) remove(s *Subscriber) {
	if s.group == nil {
		if !h.mu.TryLock() {
			h.lingering.Add(1)
			return
		}
		delete(h.subs, s)
		h.mu.Unlock()
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	w := h.windows[s.group.period]
	if w != nil && w.leave(s) {
		w.close()
		delete(h.windows, s.group.period)
	}
}
