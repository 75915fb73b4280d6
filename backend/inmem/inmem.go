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
	// FirstSeq is the id before the first event; zero picks
	// backend.ClockSeq. Ids follow backend.NextSeq from it.
	FirstSeq uint64
	// MaxSymbols caps the distinct symbols held (0: no cap): a publish
	// that would add one past it fails with backend.ErrTooManySymbols.
	MaxSymbols int
	// MaxKeys bounds the publish keys remembered (DefaultMaxKeys if 0):
	// past it the oldest is forgotten before its backend.KeyTTL ends.
	MaxKeys int
	// Now is the broker's clock (time.Now if nil): the time stamped on
	// quotes without one, the accept time and the time base of ids.
	Now func() time.Time
}

// DefaultMaxKeys is how many publish keys a Broker remembers unless told:
// at most about 25 MiB of 128-byte keys.
const DefaultMaxKeys = 100_000

// Broker is the in-memory backend.Broker.
type Broker struct {
	hub        *fanout.Hub
	now        func() time.Time
	maxSymbols int

	mu      sync.Mutex
	head    uint64 // newest id, or a client's id above it (see raise)
	symbols map[string]*symbol
	keys    receipts
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
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	head := opts.FirstSeq
	if head == 0 {
		head = backend.ClockSeq()
	}
	return &Broker{
		hub:        fanout.NewHub(fanout.Options{History: opts.History, Lag: opts.Queue, MaxReplay: opts.MaxReplay, Head: head}),
		now:        opts.Now,
		maxSymbols: opts.MaxSymbols,
		head:       head,
		symbols:    make(map[string]*symbol),
		keys:       receipts{max: opts.MaxKeys, byKey: make(map[string]backend.Receipt)},
	}
}

// Publish assigns ids by backend.NextSeq and delivers the events in order.
// A key seen in the last backend.KeyTTL answers with the events of its
// first publish and publishes nothing.
func (b *Broker) Publish(_ context.Context, req backend.PublishRequest) ([]stock.StockPriceEvent, error) {
	now := b.now().Truncate(time.Microsecond)
	out := backend.Stamp(req.Quotes, now)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, backend.ErrClosed
	}
	if rc, ok := b.keys.get(req.Key, now); ok {
		return rc.Repeat(req.Quotes)
	}
	if err := b.checkSymbols(out); err != nil {
		return nil, err
	}
	first := backend.NextSeq(b.head, 0, now)
	events := make([]*backend.Event, len(out))
	for i := range out {
		ev := backend.NewEvent(first+uint64(i), out[i])
		ev.Accepted = now
		b.head = ev.Seq
		b.symbol(ev.Stock.Symbol).update(ev)
		events[i], out[i] = ev, ev.Stock
	}
	if req.Key != "" {
		b.keys.add(req.Key, backend.Receipt{First: first, At: now, Digest: backend.Digest(req.Quotes)})
	}
	b.hub.Deliver(events)
	return out, nil
}

// checkSymbols refuses events that would add symbols past the cap.
func (b *Broker) checkSymbols(events []stock.StockPriceEvent) error {
	if b.maxSymbols <= 0 {
		return nil
	}
	var added map[string]bool
	for _, ev := range events {
		if b.symbols[ev.Symbol] == nil && !added[ev.Symbol] {
			if added == nil {
				added = make(map[string]bool)
			}
			added[ev.Symbol] = true
		}
	}
	if len(b.symbols)+len(added) > b.maxSymbols {
		return backend.TooManySymbols(len(added), len(b.symbols), b.maxSymbols)
	}
	return nil
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
	if seq, ok := stock.ParseID(req.LastEventID); ok {
		b.raise(seq)
	}
	return backend.Opening{Snapshot: b.snapshot(req.Symbols), Head: b.head}, sub, nil
}

// raise makes a client's id above the head the head, unless it is ahead of
// the clock (no broker gave it): the snapshot's id is then no lower than
// the client's, and every later id is above it.
func (b *Broker) raise(seq uint64) {
	if seq > b.head && seq <= uint64(b.now().UnixMicro()) {
		b.head = seq
	}
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
