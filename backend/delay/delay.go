// Package delay is the delayed tier: a backend.Reader that gives readers
// without entitlement every event a fixed delay after the broker accepted
// it, in id order, with its own id, on the stream, the snapshot, the latest
// price and the bars alike.
//
// A View is one subscriber of its broker. It holds the events of the delay
// window once, in accept order, and releases each into a hub of its own
// when it matures; delayed readers are cursors into that hub, exactly as
// live readers are into the broker's, so a delayed stream resumes exactly
// from a delayed id and costs a reader no more than a live one. Memory for
// the window is the events accepted in the last delay (about 300 bytes
// each), whatever the number of delayed readers. Every instance of a Redis
// deployment runs its own View over the same events, accept times and ids,
// so they agree.
package delay

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/shared/stock"
)

// Options configure a View.
type Options struct {
	// Delay is how long after its acceptance an event is released.
	Delay time.Duration
	// History is how many released events a delayed resume may start
	// in, MaxReplay how many it may replay, Queue how far a delayed
	// reader may fall behind (see fanout.Options).
	History, MaxReplay, Queue int
	// Now is the clock (time.Now if nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// View is the delayed reading of a broker.
type View struct {
	b    backend.Broker
	opts Options
	stop context.CancelFunc
	done chan struct{}

	mu      sync.Mutex
	hub     *fanout.Hub
	window  []*backend.Event // accepted, not yet released, in id order
	symbols map[string]*symbol
	last    string // id of the last event read from the broker
	closed  bool
}

// symbol is the released state of one symbol: its latest event and
// session open as of the delay.
type symbol struct {
	latest stock.StockPriceEvent
	open   stock.SessionOpen
}

var _ backend.Reader = (*View)(nil)

// Start subscribes a View to b and releases events as they mature until
// Close.
func Start(ctx context.Context, b backend.Broker, opts Options) (*View, error) {
	if opts.Delay <= 0 {
		return nil, errors.New("delay: the delay must be positive")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	v := &View{b: b, opts: opts, done: make(chan struct{}), symbols: make(map[string]*symbol)}
	sub, err := v.fill(ctx)
	if err != nil {
		return nil, err
	}
	life, stop := context.WithCancel(context.Background())
	v.stop = stop
	go v.run(life, sub)
	return v, nil
}

// fill starts the released state and the window from what the broker
// holds: the latest event of each symbol from its snapshot, where it was
// accepted before the delay's horizon (an id is never below its accept
// time in microseconds, so an id before the horizon was accepted before
// it), then every event the broker still holds, from the oldest, as a
// subscription that goes on with live events. What the broker holds
// decides how much of the window an instance that starts knows: with
// --history covering one delay of events, all of it.
func (v *View) fill(ctx context.Context) (backend.Subscription, error) {
	snap, err := v.b.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	_, sub, err := v.b.Subscribe(ctx, backend.SubscribeRequest{FromOldest: true})
	if err != nil {
		return nil, err
	}
	v.seed(snap)
	return sub, nil
}

// seed starts the released state from a live snapshot, keeping the
// entries accepted before the horizon, and makes the hub delayed readers
// read.
func (v *View) seed(snap []stock.Latest) {
	horizon := uint64(v.horizon().UnixMicro())
	for _, l := range snap {
		if seq, _ := stock.ParseID(l.ID); seq > horizon {
			continue
		}
		s := &symbol{latest: l.StockPriceEvent}
		if !l.Open.IsZero() {
			s.open = stock.SessionOpen{Day: stock.UnixDay(l.Timestamp), Price: l.Open}
		}
		v.symbols[l.Symbol] = s
	}
	v.hub = fanout.NewHub(fanout.Options{History: v.opts.History, Lag: v.opts.Queue, MaxReplay: v.opts.MaxReplay})
}

// horizon is the newest accept time a delayed reader may see now.
func (v *View) horizon() time.Time { return v.opts.Now().Add(-v.opts.Delay) }

// run reads the broker into the window and releases what matures, until
// ctx ends. A subscription that ends (the broker lost events, or closed)
// is made again from the last id read.
func (v *View) run(ctx context.Context, sub backend.Subscription) {
	defer close(v.done)
	ready := make(chan struct{}, 1)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil {
		notify(sub, ready)
		for sub.Err() == nil && ctx.Err() == nil {
			v.take(sub)
			timer.Reset(v.release())
			select {
			case <-ready:
			case <-timer.C:
			case <-ctx.Done():
			}
		}
		sub.Close()
		sub = v.resubscribe(ctx, sub.Err())
	}
	sub.Close()
}

// notify has sub signal ready, if it can; one that cannot is read at each
// release.
func notify(sub backend.Subscription, ready chan struct{}) {
	if n, ok := sub.(backend.Notifier); ok {
		n.Notify(func(bool) {
			select {
			case ready <- struct{}{}:
			default:
			}
		})
	}
}

// take moves the events the subscription has to the window.
func (v *View) take(sub backend.Subscription) {
	var batch []*backend.Event
	for {
		batch = sub.Next(batch[:0], 1024)
		if len(batch) == 0 {
			return
		}
		v.mu.Lock()
		v.window = append(v.window, batch...)
		v.last = batch[len(batch)-1].Stock.ID
		v.mu.Unlock()
	}
}

// maxWait bounds a sleep of the releaser, so that a clock that jumps is
// noticed.
const maxWait = time.Second

// release delivers the events of the window that matured to the hub and
// the released state, and returns how long until the next one matures.
func (v *View) release() time.Duration {
	horizon := v.horizon()
	v.mu.Lock()
	defer v.mu.Unlock()
	n := 0
	for n < len(v.window) && !acceptedAt(v.window[n]).After(horizon) {
		n++
	}
	if n > 0 {
		due := v.window[:n:n]
		for _, ev := range due {
			v.apply(ev)
		}
		v.hub.Deliver(due)
		clear(v.window[:n])
		v.window = v.window[n:]
		if len(v.window) == 0 {
			v.window = nil // give a burst's memory back
		}
	}
	if len(v.window) == 0 {
		return maxWait
	}
	return min(acceptedAt(v.window[0]).Sub(horizon), maxWait)
}

// acceptedAt is when the broker accepted ev; for an event stored before
// brokers kept it, its id read as microseconds, never earlier.
func acceptedAt(ev *backend.Event) time.Time {
	if !ev.Accepted.IsZero() {
		return ev.Accepted
	}
	return time.UnixMicro(int64(ev.Seq))
}

// apply makes a released event its symbol's latest, unless the seed
// already holds a newer one.
func (v *View) apply(ev *backend.Event) {
	s := v.symbols[ev.Stock.Symbol]
	if s == nil {
		s = new(symbol)
		v.symbols[ev.Stock.Symbol] = s
	}
	if held, ok := stock.ParseID(s.latest.ID); ok && held >= ev.Seq {
		return
	}
	s.latest = ev.Stock
	s.open = s.open.Next(ev.Stock)
}

// resubscribe subscribes again after the subscription ended with err,
// from the last id read: the broker replays what the View missed, or
// opens with a snapshot when it no longer holds it; then the View starts
// over from that snapshot, and its readers reconnect for one too.
func (v *View) resubscribe(ctx context.Context, err error) backend.Subscription {
	v.opts.Logger.Warn("delayed tier: subscription ended; subscribing again", "err", err)
	for attempt := 0; ctx.Err() == nil; attempt++ {
		v.mu.Lock()
		last := v.last
		v.mu.Unlock()
		o, sub, err := v.b.Subscribe(ctx, backend.SubscribeRequest{LastEventID: last})
		if err == nil && !o.Resumed {
			sub.Close()
			sub, err = v.restart(ctx)
		}
		if err == nil {
			return sub
		}
		select {
		case <-ctx.Done():
		case <-time.After(min(time.Duration(attempt+1)*100*time.Millisecond, 2*time.Second)):
		}
	}
	return closedSub{}
}

// restart drops the window and the released state and fills them again
// from what the broker holds: the delayed readers, who may have missed
// events, are ended and come back for a snapshot.
func (v *View) restart(ctx context.Context) (backend.Subscription, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	old := v.hub
	v.window = nil
	v.symbols = make(map[string]*symbol)
	sub, err := v.fill(ctx)
	if err != nil {
		v.hub = old
		return nil, err
	}
	old.Close()
	return sub, nil
}

// closedSub is the subscription of a View that is closing.
type closedSub struct{}

func (closedSub) Next(dst []*backend.Event, _ int) []*backend.Event { return dst }
func (closedSub) Err() error                                        { return backend.ErrClosed }
func (closedSub) Close()                                            {}

// Subscribe registers a delayed reader: the released events after a held
// delayed id, or a snapshot of the released state.
func (v *View) Subscribe(_ context.Context, req backend.SubscribeRequest) (backend.Opening, backend.Subscription, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return backend.Opening{}, nil, backend.ErrClosed
	}
	sub, resumed := v.hub.Add(req)
	head := v.hub.Head()
	if resumed {
		return backend.Opening{Resumed: true, Head: head}, sub, nil
	}
	return backend.Opening{Snapshot: v.snapshot(req.Symbols), Head: head}, sub, nil
}

func (v *View) snapshot(symbols []string) []stock.Latest {
	out := make([]stock.Latest, 0, len(v.symbols))
	for _, s := range v.symbols {
		out = append(out, s.open.Latest(s.latest))
	}
	return backend.SnapshotOf(out, symbols)
}

// Snapshot returns the latest released event per symbol.
func (v *View) Snapshot(context.Context) ([]stock.Latest, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.snapshot(nil), nil
}

// Latest returns the latest released event of one symbol.
func (v *View) Latest(_ context.Context, sym string) (stock.Latest, bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.symbols[sym]
	if !ok {
		return stock.Latest{}, false, nil
	}
	return s.open.Latest(s.latest), true, nil
}

// Bars returns the broker's one-minute bars of a symbol whose minute ended
// by the delay's horizon: a delayed chart shows whole minutes only, so it
// never holds an event accepted after the horizon (an event's minute is
// that of its timestamp, which the broker stamps at acceptance unless the
// publisher gave one).
func (v *View) Bars(ctx context.Context, sym string) ([]stock.Bar, error) {
	bars, err := v.b.Bars(ctx, sym)
	if err != nil {
		return nil, err
	}
	horizon := v.horizon()
	n := len(bars)
	for n > 0 && bars[n-1].Start.Add(time.Minute).After(horizon) {
		n--
	}
	return bars[:n], nil
}

// Window returns the number of events held for the delay.
func (v *View) Window() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.window)
}

// Close stops the View and ends its readers' subscriptions.
func (v *View) Close() {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return
	}
	v.closed = true
	hub := v.hub
	v.mu.Unlock()
	v.stop()
	<-v.done
	hub.Close()
}
