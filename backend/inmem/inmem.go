// Package inmem is the single-process Broker: a bounded ring buffer of recent
// events for Last-Event-ID replay, the latest event and session open per
// symbol for snapshots, the one-minute bars of the last 24 hours, and a
// fanout.Hub for live delivery.
package inmem

import (
	"context"
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
	// FirstSeq is the id of the first event minus one; zero picks
	// backend.ClockSeq.
	FirstSeq uint64
	// Now returns the time stamped on quotes without one (time.Now if nil).
	Now func() time.Time
}

// Broker is the in-memory backend.Broker.
type Broker struct {
	hub *fanout.Hub
	now func() time.Time

	mu      sync.Mutex
	ring    []*backend.Event // ring[seq % len(ring)]
	head    uint64           // newest seq; ring holds (head-count, head]
	count   int              // events held, at most len(ring)
	symbols map[string]*symbol
	closed  bool
}

// symbol is what the broker keeps of one symbol: its latest event, session
// open and one-minute bars, which grow with the minutes they hold.
type symbol struct {
	latest *backend.Event
	open   stock.SessionOpen
	bars   stock.MinuteBars
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
		head = backend.ClockSeq()
	}
	return &Broker{
		hub:     fanout.NewHub(opts.Queue),
		now:     opts.Now,
		ring:    make([]*backend.Event, opts.History),
		head:    head,
		symbols: make(map[string]*symbol),
	}
}

// Publish assigns consecutive ids and delivers the events in order.
func (b *Broker) Publish(_ context.Context, quotes []stock.Quote) ([]stock.StockPriceEvent, error) {
	out := backend.Stamp(quotes, b.now())
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, backend.ErrClosed
	}
	events := make([]*backend.Event, len(out))
	for i := range out {
		b.head++
		ev := backend.NewEvent(b.head, out[i])
		b.ring[b.head%uint64(len(b.ring))] = ev
		b.count = min(b.count+1, len(b.ring))
		b.symbol(ev.Stock.Symbol).update(ev)
		events[i], out[i] = ev, ev.Stock
	}
	b.hub.Deliver(events)
	return out, nil
}

// symbol returns the state of sym, made on its first event.
func (b *Broker) symbol(sym string) *symbol {
	s := b.symbols[sym]
	if s == nil {
		s = new(symbol)
		b.symbols[sym] = s
	}
	return s
}

// update makes ev the symbol's latest event and counts it in its open and
// bars.
func (s *symbol) update(ev *backend.Event) {
	s.latest = ev
	s.open = s.open.Next(ev.Stock)
	s.bars.Count(ev.Stock.Timestamp, ev.Stock.Price)
}

// Subscribe registers the subscriber and, atomically with it, decides how
// its stream opens: the exact events after a held id, or a snapshot.
func (b *Broker) Subscribe(_ context.Context, req backend.SubscribeRequest) (backend.Opening, backend.Subscription, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return backend.Opening{}, nil, backend.ErrClosed
	}
	sub := b.hub.Add(req.Symbols, req.Conflate)
	if seq, ok := stock.ParseID(req.LastEventID); ok && b.holdsAfter(seq) {
		return backend.Opening{Resumed: true, Replay: sub.Conflate(b.replay(seq, sub)), Head: b.head}, sub, nil
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

func (b *Broker) snapshot(symbols []string) []stock.Latest {
	out := make([]stock.Latest, 0, len(b.symbols))
	for _, s := range b.symbols {
		out = append(out, s.open.Latest(s.latest.Stock))
	}
	return backend.SnapshotOf(out, symbols)
}

// Snapshot returns the latest event per symbol, sorted by symbol.
func (b *Broker) Snapshot(context.Context) ([]stock.Latest, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.snapshot(nil), nil
}

// Latest returns the latest event of one symbol.
func (b *Broker) Latest(_ context.Context, symbol string) (stock.Latest, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.symbols[symbol]
	if !ok {
		return stock.Latest{}, false, nil
	}
	return s.open.Latest(s.latest.Stock), true, nil
}

// Bars returns the one-minute bars of one symbol.
func (b *Broker) Bars(_ context.Context, symbol string) ([]stock.Bar, error) {
	bars := b.minuteBars(symbol)
	return bars.Bars(symbol), nil
}

// minuteBars returns a copy of symbol's bars: copying at most 56 KiB under
// the lock holds publishers up less than making the bars.
func (b *Broker) minuteBars(symbol string) stock.MinuteBars {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.symbols[symbol]
	if !ok {
		return stock.MinuteBars{}
	}
	return s.bars.Clone()
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

// Close ends every subscription.
func (b *Broker) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.hub.Close()
	return nil
}
