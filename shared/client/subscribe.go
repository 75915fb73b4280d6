package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// Kind says what a Message carries.
type Kind uint8

// Kinds of Message.
const (
	// Update is one live price: Message.Event.
	Update Kind = iota + 1
	// Snapshot is the latest price of every (filtered) symbol:
	// Message.Snapshot. It replaces whatever the consumer held.
	Snapshot
)

// Message is one message of a stockstream stream.
type Message struct {
	Kind Kind
	// ID is the stream position after this message: a Subscribe started
	// from it (Options.LastEventID) misses nothing.
	ID string
	// Event is the update of an Update.
	Event stock.StockPriceEvent
	// Snapshot holds the latest event and session open of every symbol of
	// a Snapshot.
	Snapshot []stock.Latest
	// Missed is true for a Snapshot that came on a resume: the server no
	// longer held the events after the id the client resumed from, so the
	// snapshot stands in for them. The server sends it; the client does not
	// hide it.
	Missed bool
}

// Options says what to subscribe to and how to connect.
type Options struct {
	// Symbols filters the stream; empty means every symbol.
	Symbols []string
	// Conflate asks the server for at most one event per symbol per window
	// (10ms to 60s), the latest; 0 asks for every event. A server without
	// conflation refuses it with 400, which ends the sequence.
	Conflate time.Duration
	// LastEventID starts the stream after this id: the updates after it, or
	// a snapshot if the server no longer holds them. Empty: a snapshot, then
	// live updates.
	LastEventID string
	Connection
}

// StreamPath is the stream's path on a server; Subscribe adds it to a URL
// that has no path.
const StreamPath = "/stocks"

// Subscribe yields the messages of the stockstream server at serverURL
// (http://host:port, or the full URL of its stream) in order: a snapshot
// first unless the stream starts from an id the server holds, then updates,
// each exactly once, across reconnects. An update whose id is not newer than
// the last message's is a duplicate and is skipped. The sequence ends after
// yielding one error: ctx's, a permanent refusal (a *StatusError that is not
// Temporary), or a message that is not stockstream's.
func Subscribe(ctx context.Context, serverURL string, opts Options) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		u, err := StreamURL(serverURL, opts)
		if err != nil {
			yield(Message{}, err)
			return
		}
		s := Stream{URL: u, LastEventID: opts.LastEventID, Connection: opts.Connection}
		d := decoder{last: opts.LastEventID}
		for ev, err := range s.Events(ctx) {
			if err != nil {
				yield(Message{}, err)
				return
			}
			m, ok, err := d.decode(ev)
			if err != nil {
				yield(Message{}, err)
				return
			}
			if ok && !yield(m, nil) {
				return
			}
		}
	}
}

// StreamURL returns the stream URL of serverURL with the options' filter
// and conflation window in its query.
func StreamURL(serverURL string, opts Options) (string, error) {
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("server URL %q: want http://host:port or https://host:port", serverURL)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = StreamPath
	}
	q := u.Query()
	if len(opts.Symbols) > 0 {
		syms := make([]string, len(opts.Symbols))
		for i, s := range opts.Symbols {
			if syms[i], err = stock.ParseSymbol(s); err != nil {
				return "", err
			}
		}
		q.Set("symbols", strings.Join(syms, ","))
	}
	if opts.Conflate < 0 {
		return "", fmt.Errorf("conflate %s: must not be negative", opts.Conflate)
	}
	if opts.Conflate > 0 {
		q.Set("conflate", opts.Conflate.String())
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// decoder turns stream events into Messages, skipping duplicates.
type decoder struct {
	last    string            // id of the last message yielded (or the start id)
	started bool              // a message was yielded: a snapshot now is a gap
	symbols map[string]string // interned symbols
}

// ErrMalformed wraps the error of an event that is not stockstream's.
var ErrMalformed = errors.New("malformed stockstream event")

// decode returns the Message of ev; ok is false for an event to skip (an
// unknown type, a duplicate update).
func (d *decoder) decode(ev sse.Event) (m Message, ok bool, err error) {
	switch string(ev.Type) {
	case stock.EventUpdate:
		if _, ok := stock.ParseID(string(ev.ID)); !ok {
			return m, false, fmt.Errorf("%w: update with id %q, not a stream position", ErrMalformed, ev.ID)
		}
		if !stock.NewerID(string(ev.ID), d.last) {
			return m, false, nil
		}
		m.Kind, m.ID = Update, string(ev.ID)
		if err := d.decodeUpdate(ev.Data, m.ID, &m.Event); err != nil {
			return m, false, fmt.Errorf("%w: update %s: %v", ErrMalformed, ev.ID, err)
		}
	case stock.EventSnapshot:
		m.Kind, m.ID = Snapshot, string(ev.ID)
		if err := json.Unmarshal(ev.Data, &m.Snapshot); err != nil {
			return m, false, fmt.Errorf("%w: snapshot %s: %v", ErrMalformed, ev.ID, err)
		}
		if m.Snapshot == nil {
			m.Snapshot = []stock.Latest{}
		}
		m.Missed = d.started || d.last != ""
	default:
		return m, false, nil
	}
	d.last, d.started = m.ID, true
	return m, true, nil
}
