// Package inmem is the single-process Broker: a fanout.Hub whose ring of
// recent events serves both live delivery and Last-Event-ID replay, the
// latest event and session open per symbol for snapshots, and the
// one-minute bars of the last 24 hours.
package inmem

import (
	"context"
	"sync"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/bars"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

// Options configure a Broker.
type Options struct {
	// History is the number of events kept for replay (at least 1).
	History int
	// Queue is how many events a subscriber may fall behind before it is
	// cut as too slow (at least History).
	Queue int
	// MaxReplay bounds the events a resume replays (no bound if 0).
	MaxReplay int
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
	head    uint64 // newest seq
	symbols map[string]*symbol
	closed  bool
}

// symbol is what the broker keeps of one symbol: its latest event, session
// open and one-minute bars.
type symbol struct {
	latest *backend.Event
	open   bars.Open
	bars   bars.Ring
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
		hub:     fanout.NewHub(fanout.Options{History: opts.History, Lag: opts.Queue, MaxReplay: opts.MaxReplay, Head: head}),
		now:     opts.Now,
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
	sub, resumed := b.hub.Add(req)
	if resumed {
		return backend.Opening{Resumed: true, Head: b.head}, sub, nil
	}
	return backend.Opening{Snapshot: b.snapshot(req.Symbols), Head: b.head}, sub, nil
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
	ring := b.barRing(symbol)
	if ring == nil {
		return nil, nil
	}
	return ring.Bars(symbol), nil
}

// barRing returns a copy of symbol's bar ring (nil if it has none): copying
// 56 KiB under the lock holds publishers up less than reading the bars.
func (b *Broker) barRing(symbol string) *bars.Ring {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.symbols[symbol]
	if !ok {
		return nil
	}
	ring := s.bars
	return &ring
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
