// Package inmem is the single-process Broker: a bounded ring buffer of recent
// events for Last-Event-ID replay, the latest event per symbol for snapshots,
// and a fanout.Hub for live delivery.
package inmem

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

// Options configure a Broker.
type Options struct {
	// History is the number of events kept for replay (at least 1).
	History int
	// Queue is the per-subscriber queue bound (fanout.DefaultQueue if 0).
	Queue int
	// FirstSeq is the id of the first event minus one. Zero picks the
	// start time in microseconds, so ids of a restarted server are higher
	// than any id of the previous run and old ids are never mistaken for
	// new ones.
	FirstSeq uint64
	// Now returns the time stamped on quotes without one (time.Now if nil).
	Now func() time.Time
}

// Broker is the in-memory backend.Broker.
type Broker struct {
	hub *fanout.Hub
	now func() time.Time

	mu     sync.Mutex
	ring   []*backend.Event // ring[seq % len(ring)]
	head   uint64           // newest seq; ring holds (head-count, head]
	count  int              // events held, at most len(ring)
	latest map[string]*backend.Event
	closed bool
}

var _ backend.Broker = (*Broker)(nil)

// New returns an empty Broker.
func New(opts Options) *Broker {
	if opts.History < 1 {
		opts.History = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	head := opts.FirstSeq
	if head == 0 {
		head = uint64(time.Now().UnixMicro())
	}
	return &Broker{
		hub:    fanout.NewHub(opts.Queue),
		now:    opts.Now,
		ring:   make([]*backend.Event, opts.History),
		head:   head,
		latest: make(map[string]*backend.Event),
	}
}

// Publish assigns consecutive ids and delivers the events in order.
func (b *Broker) Publish(_ context.Context, quotes []stock.Quote) ([]stock.StockPriceEvent, error) {
	now := b.now().UTC()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, backend.ErrClosed
	}
	events := make([]*backend.Event, len(quotes))
	out := make([]stock.StockPriceEvent, len(quotes))
	for i, q := range quotes {
		ts := q.Timestamp
		if ts.IsZero() {
			ts = now
		}
		b.head++
		ev := backend.NewEvent(b.head, stock.StockPriceEvent{Symbol: q.Symbol, Price: q.Price, Timestamp: ts.UTC()})
		b.ring[b.head%uint64(len(b.ring))] = ev
		b.count = min(b.count+1, len(b.ring))
		b.latest[ev.Stock.Symbol] = ev
		events[i], out[i] = ev, ev.Stock
	}
	b.hub.Deliver(events)
	return out, nil
}

// Subscribe registers the subscriber and, atomically with it, decides how
// its stream opens: the exact events after a held id, or a snapshot.
func (b *Broker) Subscribe(_ context.Context, req backend.SubscribeRequest) (backend.Opening, backend.Subscription, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return backend.Opening{}, nil, backend.ErrClosed
	}
	sub := b.hub.Add(req.Symbols)
	if seq, ok := stock.ParseID(req.LastEventID); ok && b.holdsAfter(seq) {
		return backend.Opening{Resumed: true, Replay: b.replay(seq, sub), Head: b.head}, sub, nil
	}
	return backend.Opening{Snapshot: b.snapshot(req.Symbols), Head: b.head}, sub, nil
}

// holdsAfter reports whether every event after seq is still in the ring.
func (b *Broker) holdsAfter(seq uint64) bool {
	return seq <= b.head && b.head-seq <= uint64(b.count)
}

func (b *Broker) replay(seq uint64, sub *fanout.Subscriber) []*backend.Event {
	var out []*backend.Event
	for s := seq + 1; s <= b.head; s++ {
		if ev := b.ring[s%uint64(len(b.ring))]; sub.Wants(ev.Stock.Symbol) {
			out = append(out, ev)
		}
	}
	return out
}

func (b *Broker) snapshot(symbols []string) []stock.StockPriceEvent {
	out := make([]stock.StockPriceEvent, 0, len(b.latest))
	for sym, ev := range b.latest {
		if len(symbols) == 0 || slices.Contains(symbols, sym) {
			out = append(out, ev.Stock)
		}
	}
	slices.SortFunc(out, func(a, b stock.StockPriceEvent) int { return cmp.Compare(a.Symbol, b.Symbol) })
	return out
}

// Snapshot returns the latest event per symbol, sorted by symbol.
func (b *Broker) Snapshot(context.Context) ([]stock.StockPriceEvent, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.snapshot(nil), nil
}

// Latest returns the latest event of one symbol.
func (b *Broker) Latest(_ context.Context, symbol string) (stock.StockPriceEvent, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ev, ok := b.latest[symbol]
	if !ok {
		return stock.StockPriceEvent{}, false, nil
	}
	return ev.Stock, true, nil
}

// Ready reports an error once the broker is closed.
func (b *Broker) Ready(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return backend.ErrClosed
	}
	return nil
}

// Subscribers returns the number of live subscribers.
func (b *Broker) Subscribers() int { return b.hub.Len() }

// Close ends every subscription.
func (b *Broker) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.hub.Close()
	return nil
}
