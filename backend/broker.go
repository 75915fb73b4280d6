// Package backend holds the domain of the stockstream server: the Broker that
// stores and fans out price events, and the types its implementations share.
// Implementations live in subpackages (inmem, redis); http serves them; cmd/
// stockstream wires one of them up.
package backend

import (
	"context"
	"errors"
	"time"

	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// Errors returned by brokers and subscriptions.
var (
	// ErrSlowSubscriber ends a subscription whose queue overflowed; the
	// client resumes with Last-Event-ID.
	ErrSlowSubscriber = errors.New("subscriber too slow: queue overflowed")
	// ErrClosed is returned once the broker is closed.
	ErrClosed = errors.New("broker closed")
	// ErrUnavailable wraps failures of a broker's backing store.
	ErrUnavailable = errors.New("broker unavailable")
)

// Event is a published event with its SSE frame encoded once; every
// subscriber writes the same Frame bytes. Events are immutable once
// published.
type Event struct {
	Seq   uint64 // position in the stream; ID is Seq in decimal
	Stock stock.StockPriceEvent
	Frame []byte // "id: …\nevent: stockUpdate\ndata: {…}\n\n"
}

// SubscribeRequest says what a new subscriber wants.
type SubscribeRequest struct {
	// LastEventID is the id the client saw last; "" for a fresh connect.
	LastEventID string
	// Symbols filters the stream; empty means every symbol.
	Symbols []string
	// Conflate, when positive, conflates the stream: at most one event per
	// symbol per Conflate window, always the latest, each with its own id;
	// a resume replays only the latest event of each symbol changed since
	// LastEventID, in id order.
	Conflate time.Duration
	// Expires, when not zero, is when the reader's subscriber token
	// expires: the stream ends cleanly no earlier than Expires and at most
	// 2 s after it (a reconnect with the same token is then refused).
	Expires time.Time
	// Delay, when positive, is the delayed tier: the reader gets each
	// event Delay after the server accepted it, in id order, with its own
	// id. Zero is live.
	Delay time.Duration
}

// Opening is what a stream starts with, decided atomically with the
// subscriber's registration so that nothing falls between it and the live
// events.
type Opening struct {
	// Resumed is true when the broker still holds every event after
	// LastEventID: Replay then holds exactly those events (filtered, and
	// conflated if asked), in order. Otherwise the stream opens with
	// Snapshot.
	Resumed bool
	Replay  []*Event
	// Snapshot is the latest event per (filtered) symbol with its session
	// open, sorted by symbol, and Head the id of the newest event in the
	// stream: resuming from Head misses nothing.
	Snapshot []stock.Latest
	Head     uint64
}

// Subscription delivers live events to one subscriber. It never blocks the
// publisher: events queue up to a bound, and a subscriber that overflows it is
// ended with ErrSlowSubscriber. A conflated subscription has no queue: it is
// ready once per window, and Next then gives the latest event of each
// symbol changed since the previous Next, in id order.
//
// Readiness is a callback, not a channel: a server with many subscriptions
// marks one ready in a shared list instead of waking a goroutine per
// subscriber. A consumer with a goroutine of its own uses ReadyChan.
type Subscription interface {
	// OnReady registers fn, to be called when events are pending that fn
	// has not yet been called for since the last Next: once after the
	// first event that a Next has not taken, not once per event (and at
	// once if events are already pending). Whoever makes events pending
	// calls it: a publisher, or a timer that releases held events. fn must
	// be quick, must not block and must not call back into the
	// subscription; it may be called from any goroutine. Registering again
	// replaces the callback.
	OnReady(fn func())
	// Next appends the pending events to dst and returns it; the next
	// event made pending after it calls the OnReady callback again.
	Next(dst []*Event) []*Event
	// Done is closed when the subscription ends for a reason other than
	// Close; Err then says why.
	Done() <-chan struct{}
	Err() error
	// OnEnd registers fn to run once when the subscription ends for a
	// reason other than Close (at once if it already has), so a stream
	// blocked in a write can be cut without waiting for its deadline. fn
	// must be quick and must not call back into the subscription.
	OnEnd(fn func())
	// Close unregisters the subscriber. It is safe to call more than once.
	Close()
}

// ReadyChan registers an OnReady callback on sub and returns a channel that
// holds a value whenever events are pending, for a consumer that selects on
// it in a goroutine of its own.
func ReadyChan(sub Subscription) <-chan struct{} {
	ready := make(chan struct{}, 1)
	sub.OnReady(func() {
		select {
		case ready <- struct{}{}:
		default: // already signalled
		}
	})
	return ready
}

// Broker stores published events, assigns their ids and fans them out. It
// also keeps, per symbol, the latest event with its session open (the first
// price it holds for the UTC day of that event) and the one-minute bars of
// the last 24 hours (see package bars), the same on every instance that
// shares its store.
type Broker interface {
	// Publish assigns ids (and timestamps to quotes without one, see
	// Stamp), delivers the events in order and adds them to the bars and
	// session opens. Quotes must be validated.
	Publish(ctx context.Context, quotes []stock.Quote) ([]stock.StockPriceEvent, error)
	// Subscribe registers a subscriber and returns how its stream opens.
	Subscribe(ctx context.Context, req SubscribeRequest) (Opening, Subscription, error)
	// Snapshot returns the latest event per symbol with its session open,
	// sorted by symbol.
	Snapshot(ctx context.Context) ([]stock.Latest, error)
	// Latest returns the latest event of one symbol with its session open;
	// ok is false if none.
	Latest(ctx context.Context, symbol string) (l stock.Latest, ok bool, err error)
	// Bars returns the one-minute bars of one symbol over the 24 hours up
	// to its newest bar, oldest first; none if the symbol has no events.
	Bars(ctx context.Context, symbol string) ([]stock.Bar, error)
	// Ready reports whether the broker can serve (its store is reachable).
	Ready(ctx context.Context) error
	// Close ends every subscription and releases the broker's resources.
	Close() error
}

// NewEvent assigns seq as the event's id and encodes its SSE frame once.
func NewEvent(seq uint64, e stock.StockPriceEvent) *Event {
	e.ID = stock.FormatID(seq)
	var buf [160]byte
	data := e.AppendJSON(buf[:0])
	frame := make([]byte, 0, len(data)+len(e.ID)+len(stock.EventUpdate)+24)
	return &Event{Seq: seq, Stock: e, Frame: sse.AppendEvent(frame, e.ID, stock.EventUpdate, data)}
}
