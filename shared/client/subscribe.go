package client

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/stockstream/stockstream/shared/message"
	"github.com/stockstream/stockstream/shared/stock"
)

// Message is one message of a stockstream stream: an update or a snapshot
// (see package message, which decodes them for the client and the page).
type Message = message.Message

// Kind says what a Message carries.
type Kind = message.Kind

// Kinds of Message.
const (
	// Update is one live price: Message.Event.
	Update = message.Update
	// Snapshot is the latest price of every (filtered) symbol:
	// Message.Snapshot. It replaces whatever the consumer held.
	Snapshot = message.Snapshot
)

// ErrMalformed wraps the error of an event that is not stockstream's.
var ErrMalformed = message.ErrMalformed

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
		d := message.Resume(opts.LastEventID)
		for ev, err := range s.Events(ctx) {
			if err != nil {
				yield(Message{}, err)
				return
			}
			m, ok, err := d.Decode(string(ev.Type), string(ev.ID), ev.Data)
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
