package fanout

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stockstream/stockstream/backend"
)

// window is what the conflated subscribers of one window length share:
// their groups, made ready together at each tick of the Hub's ticker. A Hub
// keeps one per window length in use and drops it when its last subscriber
// leaves.
type window struct {
	period time.Duration
	due    time.Time // the next tick
	index  int       // in the ticker's heap; -1 when not in it

	mu     sync.Mutex
	groups map[string]*group // by symbol filter
}

// group is the state that the conflated subscribers of one window length
// and symbol filter share: the latest event of each wanted symbol, in id
// order. Publishing costs one update per event and group, not per
// subscriber; each subscriber only remembers the last id it was sent.
type group struct {
	period  time.Duration
	key     string   // the filter's symbols, sorted, joined by commas
	symbols []string // nil: every symbol

	mu     sync.RWMutex     // read by every subscriber's Next at each tick
	latest map[string]*node // by symbol
	newest *node            // the end of the list of latest events, in id order
	subs   map[*Subscriber]struct{}
}

// node holds the latest event of one symbol in a group's list.
type node struct {
	ev         *backend.Event
	prev, next *node
}

// joinLocked adds a conflated subscriber to the group of its window length
// and filter, scheduling the window if it is new.
func (h *Hub) joinLocked(s *Subscriber, period time.Duration) {
	w := h.wins[period]
	if w == nil {
		w = &window{period: period, index: -1, groups: make(map[string]*group)}
		h.wins[period] = w
		h.ticker.add(w)
	}
	w.join(s)
}

// leaveLocked removes a conflated subscriber, dropping its window if it
// was the last.
func (h *Hub) leaveLocked(s *Subscriber) {
	w := h.wins[s.group.period]
	if w != nil && w.leave(s) {
		w.close()
		delete(h.wins, s.group.period)
		h.ticker.remove(w)
	}
}

// join adds s to the group of its filter.
func (w *window) join(s *Subscriber) {
	key := strings.Join(slices.Sorted(slices.Values(s.symbols)), ",")
	w.mu.Lock()
	defer w.mu.Unlock()
	g := w.groups[key]
	if g == nil {
		g = &group{period: w.period, key: key, symbols: s.symbols, latest: make(map[string]*node), subs: make(map[*Subscriber]struct{})}
		w.groups[key] = g
	}
	g.mu.Lock()
	g.subs[s] = struct{}{}
	g.mu.Unlock()
	s.group = g
}

// leave removes s from its group, dropping the group if it was the last,
// and reports whether the window has no subscriber left.
func (w *window) leave(s *Subscriber) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	g := s.group
	g.mu.Lock()
	delete(g.subs, s)
	empty := len(g.subs) == 0
	g.mu.Unlock()
	if empty {
		delete(w.groups, g.key)
	}
	return len(w.groups) == 0
}

// len returns the number of subscribers of the window.
func (w *window) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, g := range w.groups {
		g.mu.Lock()
		n += len(g.subs)
		g.mu.Unlock()
	}
	return n
}

// deliver makes events the latest of their symbols in every group that
// wants them.
func (w *window) deliver(events []*backend.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, g := range w.groups {
		g.deliver(events)
	}
}

// close ends every subscription of the window.
func (w *window) close() {
	w.mu.Lock()
	var subs []*Subscriber
	for _, g := range w.groups {
		g.mu.Lock()
		for s := range g.subs {
			subs = append(subs, s)
		}
		g.mu.Unlock()
	}
	clear(w.groups)
	w.mu.Unlock()
	for _, s := range subs {
		s.end(backend.ErrClosed)
	}
}

// release makes every subscriber with events pending ready.
func (w *window) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, g := range w.groups {
		g.release()
	}
}

// deliver moves each wanted event to the end of the list as the latest of
// its symbol. Events come in id order; one not newer than the newest held
// is ignored, so the list stays in id order.
func (g *group) deliver(events []*backend.Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, ev := range events {
		if g.symbols != nil && !slices.Contains(g.symbols, ev.Stock.Symbol) || g.newest != nil && ev.Seq <= g.newest.ev.Seq {
			continue
		}
		n := g.latest[ev.Stock.Symbol]
		if n == nil {
			n = &node{}
			g.latest[ev.Stock.Symbol] = n
		} else {
			g.unlink(n)
		}
		n.ev = ev
		g.append(n)
	}
}

func (g *group) unlink(n *node) {
	if n.prev != nil {
		n.prev.next = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		g.newest = n.prev
	}
	n.prev, n.next = nil, nil
}

func (g *group) append(n *node) {
	n.prev = g.newest
	if g.newest != nil {
		g.newest.next = n
	}
	g.newest = n
}

// release makes ready the subscribers that were sent less than the newest
// event.
func (g *group) release() {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.newest == nil {
		return
	}
	newest := g.newest.ev.Seq
	for s := range g.subs {
		if s.sent.Load() < newest {
			s.signal()
		}
	}
}

// since appends the latest event of each symbol changed after seq to dst,
// in id order, visiting only those: the oldest max of them if there are
// more.
func (g *group) since(seq uint64, dst []*backend.Event, max int) []*backend.Event {
	g.mu.RLock()
	defer g.mu.RUnlock()
	first := g.newest
	changed := 0
	for node := g.newest; node != nil && node.ev.Seq > seq; node = node.prev {
		first = node
		changed++
	}
	for node := first; node != nil && changed > 0 && max > 0; node = node.next {
		dst = append(dst, node.ev)
		changed--
		max--
	}
	return dst
}
