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
	// ErrSlowSubscriber ends a subscription that fell further behind than
	// the broker holds events for; the client resumes with Last-Event-ID.
	ErrSlowSubscriber = errors.New("subscriber too slow: fell behind the events held")
	// ErrClosed is returned once the broker is closed.
	ErrClosed = errors.New("broker closed")
	// ErrUnavailable wraps failures of a broker's backing store.
	ErrUnavailable = errors.New("broker unavailable")
	// ErrTooManySymbols refuses a publish that would add a symbol past the
	// broker's cap; nothing of it is published.
	ErrTooManySymbols = errors.New("too many symbols")
	// ErrKeyReused refuses a publish whose key was used in the last KeyTTL
	// by a request with other quotes; nothing of it is published.
	ErrKeyReused = errors.New("idempotency key already used for other quotes")
)

// Event is a published event with its SSE frame encoded once; every
// subscriber writes the same Frame bytes. Events are immutable once
// published.
type Event struct {
	Seq   uint64 // position in the stream; ID is Seq in decimal
	Stock stock.StockPriceEvent
	// Accepted is when the broker accepted the event, to the microsecond:
	// the same on every instance and for every event of one publish, and
	// never after the id read as microseconds since 1970 (see NextSeq).
	// It is zero for an event stored before brokers kept it.
	Accepted time.Time
	Frame    []byte // "id: …\nevent: stockUpdate\ndata: {…}\n\n"
}

// PublishRequest is one publish: quotes appended to the stream in one
// step, under an optional key that makes it safe to send again.
type PublishRequest struct {
	// Quotes are the validated quotes, in stream order.
	Quotes []stock.Quote
	// Key, when not empty, names the request: a publish with a key the
	// broker accepted in the last KeyTTL publishes nothing and returns the
	// events of the first, or fails with ErrKeyReused if its quotes differ.
	// A sender that does not know whether a publish was applied (a
	// timeout, a lost answer) sends it again with the same key.
	Key string
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
	// FromOldest asks for every event the broker still holds, from the
	// oldest, then live ones, whatever the replay bound: the delayed tier
	// fills its window with it when it starts. LastEventID is then unused.
	FromOldest bool
}

// Opening is how a stream starts, decided atomically with the subscriber's
// registration so that nothing falls between it and the live events.
type Opening struct {
	// Resumed is true when the broker still holds every event after
	// LastEventID (and no more of them than its replay bound): the
	// subscription's Next then gives exactly those events (filtered, and
	// conflated if asked), in order, before the live ones. Otherwise the
	// stream opens with Snapshot.
	Resumed bool
	// Snapshot is the latest event per (filtered) symbol with its session
	// open, sorted by symbol, and Head the id of the newest event in the
	// stream: the subscription gives the events after Head.
	Snapshot []stock.Latest
	Head     uint64
}

// Subscription gives one subscriber its events: the replay after the id it
// asked for (or the events after a snapshot's head), then live ones, in id
// order, none twice. It never blocks the publisher: a subscriber that falls
// so far behind that the broker no longer holds what it has not read is
// ended with ErrSlowSubscriber, and a burst only makes it lag. A conflated
// subscription gives, once per window, the latest event of each symbol
// changed since the previous Next, in id order.
type Subscription interface {
	// Next appends up to max pending events to dst, in order, and returns
	// it; it never blocks.
	Next(dst []*Event, max int) []*Event
	// Err says why the subscription ended, or nil while it runs.
	Err() error
	// Close unregisters the subscriber. It is safe to call more than once.
	Close()
}

// Notifier is offered by subscriptions that can say when they have
// something for Next, so that a server with many streams wakes only the
// ready ones instead of polling each. A consumer of a subscription without
// it polls Next.
type Notifier interface {
	// Notify registers fn, called when events become pending that fn has
	// not yet been called for since the last Next took everything (once
	// per batch, not per event, and at once if some already are), and
	// once with ended true when the subscription ends for a reason other
	// than Close. fn must be quick, must not block and must not call back
	// into the subscription; it may be called from any goroutine.
	Notify(fn func(ended bool))
}

// Reader is what readers read: the stream, the latest event per symbol
// and the bars. A Broker is the live Reader; the delayed tier (package
// delay) is another, over the same events.
type Reader interface {
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
}

// Broker stores published events, assigns their ids and fans them out. It
// also keeps, per symbol, the latest event with its session open (the first
// price it holds for the UTC day of that event) and the one-minute bars of
// the last 24 hours (see stock.MinuteBars), the same on every instance that
// shares its store.
type Broker interface {
	Reader
	// Publish assigns ids (see NextSeq) and timestamps to quotes without
	// one (see Stamp), delivers the events in order and adds them to the
	// bars and session opens, all in one step: a failed publish publishes
	// nothing, except that one failing with ErrUnavailable may have been
	// applied (its answer was lost); sending it again with the same Key
	// applies it exactly once. A publish that would add a symbol past the
	// broker's cap fails with ErrTooManySymbols.
	Publish(ctx context.Context, req PublishRequest) ([]stock.StockPriceEvent, error)
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
