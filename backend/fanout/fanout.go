// Package fanout delivers published events to many subscribers without ever
// blocking the publisher. Each subscriber has a bounded queue; a subscriber
// that overflows it is disconnected with backend.ErrSlowSubscriber and
// resumes with Last-Event-ID. A conflated subscriber keeps only the latest
// pending event per symbol instead, is made ready once per window by a
// ticker it shares with every subscriber of the same window, and never
// overflows. Brokers use one Hub for their local subscribers.
package fanout

import (
	"slices"
	"sync"
	"time"

	"github.com/stockstream/stockstream/backend"
)

// DefaultQueue is the number of events a subscriber may have pending before
// it is disconnected as too slow.
const DefaultQueue = 4096

// Hub is the set of local subscribers of one broker.
type Hub struct {
	mu       sync.Mutex
	subs     map[*Subscriber]struct{}
	windows  map[time.Duration]*window
	maxQueue int
	closed   bool
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
	s := &Subscriber{
		hub:    h,
		ready:  make(chan struct{}, 1),
		done:   make(chan struct{}),
		max:    h.maxQueue,
		window: max(conflate, 0),
	}
	if len(symbols) > 0 {
		s.symbols = slices.Clone(symbols)
	}
	if s.window > 0 {
		s.latest = make(map[string]*backend.Event)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.end(backend.ErrClosed)
		return s
	}
	h.subs[s] = struct{}{}
	if s.window > 0 {
		h.joinLocked(s)
	}
	return s
}

// Deliver queues events, in order, to every subscriber whose filter matches.
// It never blocks on a subscriber.
func (h *Hub) Deliver(events []*backend.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if !s.push(events) {
			h.removeLocked(s)
		}
	}
}

// Len returns the number of registered subscribers.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close ends every subscription with backend.ErrClosed and stops every
// window's ticker; later Adds return subscriptions that are already ended.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		s.end(backend.ErrClosed)
		h.removeLocked(s)
	}
}

func (h *Hub) remove(s *Subscriber) {
	h.mu.Lock()
	h.removeLocked(s)
	h.mu.Unlock()
}

func (h *Hub) removeLocked(s *Subscriber) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	if s.window > 0 {
		h.leaveLocked(s)
	}
}
