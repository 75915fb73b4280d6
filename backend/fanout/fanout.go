// Package fanout delivers published events to many subscribers without ever
// blocking the publisher and without a queue per subscriber. A Hub keeps the
// events it delivered last in one ring; each subscriber is a cursor into it
// that reads its own events when its consumer asks. A subscriber that falls
// behind only lags, whatever the size of a burst, until the ring no longer
// holds what it has not read: then it is ended with
// backend.ErrSlowSubscriber and resumes with Last-Event-ID. The same ring is
// the history that a resume replays from, so a replay is a cursor too and
// costs no copy. Conflated subscribers share, per window length and symbol
// filter, the latest event of each symbol; one goroutine per Hub ticks
// every window length in use.
package fanout

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// Options configure a Hub.
type Options struct {
	// History is the number of newest events a resume may start in (at
	// least 1): a resume from an older id gets a snapshot.
	History int
	// Lag is the number of events a subscriber may fall behind before it
	// is ended as too slow; the ring holds max(History+1, Lag) events.
	Lag int
	// MaxReplay bounds the events a resume replays (no bound if 0): a
	// longer gap opens with a snapshot instead.
	MaxReplay int
	// Head is the id before the first event the Hub will deliver: a
	// resume from it misses nothing.
	Head uint64
}

// Hub is the set of local subscribers of one broker and the ring of the
// events they read.
type Hub struct {
	ring      []atomic.Pointer[backend.Event] // event at position p is ring[p % len]
	next      atomic.Uint64                   // position of the next event; slots below it are written
	history   uint64
	maxReplay uint64
	ticker    *ticker

	mu     sync.Mutex
	head   uint64 // Seq of the newest event delivered (Options.Head before any)
	start  uint64 // Options.Head: a resume from it or later is held until the ring wraps
	subs   map[*Subscriber]struct{}
	wins   map[time.Duration]*window
	closed bool
	// lingering counts subscribers closed while the lock was busy: they
	// are still in subs, to be dropped by the next sweep or Deliver.
	lingering atomic.Int64
}

// NewHub returns an empty Hub.
func NewHub(opts Options) *Hub {
	opts.History = max(opts.History, 1)
	size := max(opts.History+1, opts.Lag)
	h := &Hub{
		ring:      make([]atomic.Pointer[backend.Event], size),
		history:   uint64(opts.History),
		maxReplay: uint64(opts.MaxReplay),
		head:      opts.Head,
		start:     opts.Head,
		subs:      make(map[*Subscriber]struct{}),
		wins:      make(map[time.Duration]*window),
	}
	h.ticker = newTicker()
	return h
}

// oldest returns the position of the oldest event the ring holds, given
// the position of the next.
func (h *Hub) oldest(next uint64) uint64 {
	if size := uint64(len(h.ring)); next > size {
		return next - size
	}
	return 0
}

// at returns the event at position p, which must be held.
func (h *Hub) at(p uint64) *backend.Event { return h.ring[p%uint64(len(h.ring))].Load() }

// Deliver appends events, which follow the newest delivered in id order, to
// the ring, makes them the latest of their symbols for conflated
// subscribers, and tells every subscriber that wants one of them. It never
// blocks on a subscriber; one whose unread events it overwrites is ended.
func (h *Hub) Deliver(events []*backend.Event) {
	if len(events) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	first := h.next.Load()
	for i, ev := range events {
		h.ring[(first+uint64(i))%uint64(len(h.ring))].Store(ev)
	}
	next := first + uint64(len(events))
	h.next.Store(next)
	h.head = events[len(events)-1].Seq
	oldest := h.oldest(next)
	for s := range h.subs {
		if !s.deliver(events, first, oldest) {
			delete(h.subs, s)
		}
	}
	for _, w := range h.wins {
		w.deliver(events)
	}
}

// Head returns the id of the newest event delivered.
func (h *Hub) Head() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.head
}

// Add registers a subscriber for req's symbols (all if none), conflated if
// req asks. If the ring holds every event after req.LastEventID, and no
// more of them than the replay bound, the subscriber starts right after it
// and resumed is true; otherwise it starts after the newest event
// delivered, whose id Head returns, and the caller opens the stream with a
// snapshot. With req.FromOldest it starts at the oldest event held, and
// resumed is true. Events delivered after Add returns reach the
// subscriber.
func (h *Hub) Add(req backend.SubscribeRequest) (s *Subscriber, resumed bool) {
	s = &Subscriber{hub: h}
	if len(req.Symbols) > 0 {
		s.symbols = append([]string(nil), req.Symbols...)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.end(backend.ErrClosed)
		return s, false
	}
	next := h.next.Load()
	from, resumed := h.resumeFrom(req.LastEventID, next)
	if req.FromOldest {
		from, resumed = h.oldest(next), true
	}
	if req.Conflate > 0 {
		if resumed {
			s.replay = h.latestSince(from, next, s)
		}
		s.sent.Store(h.head)
		h.joinLocked(s, req.Conflate)
		return s, resumed
	}
	if !resumed {
		from = next
	}
	s.read = from
	s.pending = from < next
	if n := h.lingering.Load(); n > 0 && int(n) >= len(h.subs)/2 {
		h.sweepLocked()
	}
	h.subs[s] = struct{}{}
	return s, resumed
}

// resumeFrom returns the position of the first event after the id last,
// and whether the ring holds every event after it within the history and
// replay bounds.
func (h *Hub) resumeFrom(last string, next uint64) (uint64, bool) {
	seq, ok := stock.ParseID(last)
	if !ok || seq > h.head {
		return 0, false
	}
	// The events after seq are all held if seq is the id of an event in
	// the history window or of the one just before it (the Hub's start,
	// while the window reaches back to it). Ids are not consecutive: a
	// number between two ids names no event, and gets a snapshot.
	window := uint64(0)
	if next > h.history {
		window = next - h.history
	}
	from := window + uint64(sort.Search(int(next-window), func(i int) bool {
		return h.at(window+uint64(i)).Seq > seq
	}))
	prev := h.start
	if from > 0 {
		prev = h.at(from - 1).Seq
	}
	if prev != seq || h.maxReplay > 0 && next-from > h.maxReplay {
		return 0, false
	}
	return from, true
}

// latestSince returns the latest event of each symbol s wants among the
// events from position from on, in id order: a conflated resume's replay.
func (h *Hub) latestSince(from, next uint64, s *Subscriber) []*backend.Event {
	last := make(map[string]uint64)
	for p := from; p < next; p++ {
		if ev := h.at(p); s.Wants(ev.Stock.Symbol) {
			last[ev.Stock.Symbol] = p
		}
	}
	var out []*backend.Event
	for p := from; p < next; p++ {
		if ev := h.at(p); last[ev.Stock.Symbol] == p && s.Wants(ev.Stock.Symbol) {
			out = append(out, ev)
		}
	}
	return out
}

// Len returns the number of registered subscribers.
func (h *Hub) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sweepLocked()
	n := len(h.subs)
	for _, w := range h.wins {
		n += w.len()
	}
	return n
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

// Close ends every subscription with backend.ErrClosed and stops the
// windows' ticker; later Adds return subscriptions that are already ended.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for s := range h.subs {
		s.end(backend.ErrClosed)
		delete(h.subs, s)
	}
	for d, w := range h.wins {
		w.close()
		delete(h.wins, d)
	}
	h.ticker.stop()
}

// remove unregisters s. A subscriber does not wait behind a Deliver to
// many subscribers, which holds the lock for a while: when the lock is busy
// it lingers, ended, until the next Deliver or sweep drops it, so ending
// streams en masse never stalls whoever closes them.
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
	h.leaveLocked(s)
}
