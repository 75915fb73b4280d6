package fanout

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/stockstream/stockstream/backend"
)

// Subscriber is one registered subscriber: a cursor into its Hub's ring (or,
// conflated, into its group's latest events). It implements
// backend.Subscription and backend.Notifier.
type Subscriber struct {
	hub     *Hub
	symbols []string // nil: every symbol
	group   *group   // a conflated subscriber's group, set once by Add
	// sent is, for a conflated subscriber, the Seq of the last event it was
	// sent or skipped: later ones in its group are pending. It is atomic so
	// that Next never holds the subscriber's lock with its group's.
	sent atomic.Uint64

	mu     sync.Mutex
	read   uint64           // ring position of the next event to read; those before are read or skipped
	floor  uint64           // events with Seq <= floor are skipped
	replay []*backend.Event // a conflated resume's opening, not yet taken
	notify func(ended bool)
	err    error
	// The flags sit together so that the struct fits 128 bytes: an idle
	// stream is mostly its subscriber and its state in the tier.
	pending bool // events at read or later may be wanted, and notify was called for them
	ended   bool
}

var (
	_ backend.Subscription = (*Subscriber)(nil)
	_ backend.Notifier     = (*Subscriber)(nil)
)

// deliver is told by Deliver that events now sit at positions first… of
// the ring, whose oldest held position is oldest. It reports false when the
// subscriber has ended (it is ended now if it fell out of the ring).
func (s *Subscriber) deliver(events []*backend.Event, first, oldest uint64) bool {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return false
	}
	if s.pending {
		if s.read >= oldest {
			s.mu.Unlock()
			return true
		}
		fn := s.endLocked(backend.ErrSlowSubscriber)
		s.mu.Unlock()
		call(fn, true)
		return false
	}
	// Idle: everything before first was read, and a Next that ran since
	// Deliver published these events may have read some of them too.
	skip := int(max(s.read, first) - first)
	for i := skip; i < len(events); i++ {
		if ev := events[i]; ev.Seq > s.floor && s.Wants(ev.Stock.Symbol) {
			s.read, s.pending = first+uint64(i), true
			fn := s.notify
			s.mu.Unlock()
			call(fn, false)
			return true
		}
	}
	s.read = first + uint64(len(events))
	s.mu.Unlock()
	return true
}

// call calls a notify callback if there is one.
func call(fn func(bool), ended bool) {
	if fn != nil {
		fn(ended)
	}
}

// Next appends up to max pending events to dst, in order, and returns it:
// for a conflated subscriber, a resume's replay, then the latest event of
// each symbol changed since the last Next. A subscriber whose unread events
// the ring no longer holds ends with backend.ErrSlowSubscriber, and its
// Notify callback is told.
func (s *Subscriber) Next(dst []*backend.Event, max int) []*backend.Event {
	if s.group != nil {
		return s.nextConflated(dst, max)
	}
	s.mu.Lock()
	if s.ended || !s.pending || max <= 0 {
		s.mu.Unlock()
		return dst
	}
	h := s.hub
	next := h.next.Load()
	n, took := len(dst), 0
	p := s.read
	if p >= h.oldest(next) {
		for ; p < next && took < max; p++ {
			if ev := h.at(p); ev.Seq > s.floor && s.Wants(ev.Stock.Symbol) {
				dst = append(dst, ev)
				took++
			}
		}
	}
	// The ring may no longer hold what was to be read, or a Deliver may
	// have overwritten slots while they were read.
	if s.read < h.oldest(h.next.Load()) {
		clear(dst[n:])
		fn := s.endLocked(backend.ErrSlowSubscriber)
		s.mu.Unlock()
		call(fn, true)
		return dst[:n]
	}
	s.read = p
	s.pending = p < next
	s.mu.Unlock()
	return dst
}

// nextConflated is Next for a conflated subscriber.
func (s *Subscriber) nextConflated(dst []*backend.Event, max int) []*backend.Event {
	s.mu.Lock()
	if s.ended || max <= 0 {
		s.mu.Unlock()
		return dst
	}
	if len(s.replay) > 0 {
		n := min(max, len(s.replay))
		dst = append(dst, s.replay[:n]...)
		clear(s.replay[:n])
		if s.replay = s.replay[n:]; len(s.replay) == 0 {
			s.replay = nil
		}
		s.mu.Unlock()
		return dst
	}
	s.pending = false
	s.mu.Unlock() // Next never holds the subscriber's lock with its group's
	n := len(dst)
	dst = s.group.since(s.sent.Load(), dst, max)
	if len(dst) > n {
		s.markSent(dst[len(dst)-1].Seq)
	}
	return dst
}

// signal says "events are pending" for a conflated subscriber, at a tick
// of its window.
func (s *Subscriber) signal() {
	s.mu.Lock()
	if s.ended || s.pending {
		s.mu.Unlock()
		return
	}
	s.pending = true
	fn := s.notify
	s.mu.Unlock()
	call(fn, false)
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

// SkipThrough keeps events with Seq <= seq out of the subscriber's stream,
// for brokers whose snapshot covers events the Hub delivers later.
func (s *Subscriber) SkipThrough(seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.floor {
		return
	}
	s.floor = seq
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

// Notify registers fn (see backend.Notifier); it is called at once if
// events are already pending, or if the subscription has already ended.
func (s *Subscriber) Notify(fn func(ended bool)) {
	s.mu.Lock()
	s.notify = fn
	ended, pending := s.ended && s.err != nil, s.pending || len(s.replay) > 0
	s.mu.Unlock()
	switch {
	case ended:
		fn(true)
	case pending:
		fn(false)
	}
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
	s.notify = nil
	s.replay = nil
	s.mu.Unlock()
}

// end ends the subscription with err, telling its consumer.
func (s *Subscriber) end(err error) {
	s.mu.Lock()
	fn := s.endLocked(err)
	s.mu.Unlock()
	call(fn, true)
}

// endLocked ends the subscription exactly once and returns the callback to
// tell, if any.
func (s *Subscriber) endLocked(err error) func(bool) {
	if s.ended {
		return nil
	}
	s.ended, s.err = true, err
	return s.notify
}
