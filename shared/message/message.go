package message

import (
	"encoding/json"
	"errors"
	"fmt"

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
	// ID is the stream position after this message: a stream resumed
	// from it misses nothing.
	ID string
	// Event is the update of an Update.
	Event stock.StockPriceEvent
	// Snapshot holds the latest event and session open of every symbol of
	// a Snapshot.
	Snapshot []stock.Latest
	// Missed is true for a Snapshot that came on a resume: the server no
	// longer held the events after the id the stream resumed from, so the
	// snapshot stands in for them. The server sends it; the decoder does
	// not hide it.
	Missed bool
}

// ErrMalformed wraps the error of an event that is not stockstream's.
var ErrMalformed = errors.New("malformed stockstream event")

// Decoder decodes the events of one stream, in stream order. Its zero
// value starts a stream from scratch; Resume starts it after an id.
type Decoder struct {
	last    string            // id of the last message decoded (or the start id)
	started bool              // a message was decoded: a snapshot now is a gap
	symbols map[string]string // interned symbols
}

// Resume returns a Decoder for a stream started after lastEventID ("" for
// a fresh one).
func Resume(lastEventID string) *Decoder { return &Decoder{last: lastEventID} }

// Last returns the id of the last message decoded, or the id the stream
// resumed from.
func (d *Decoder) Last() string { return d.last }

// Decode returns the Message of the event of type typ with the SSE id and
// data. ok is false for an event to skip: an unknown type, or an update
// not newer than the last message. An error (wrapping ErrMalformed) means
// the event is not stockstream's.
func (d *Decoder) Decode(typ, id string, data []byte) (m Message, ok bool, err error) {
	switch typ {
	case stock.EventUpdate:
		if _, ok := stock.ParseID(id); !ok {
			return m, false, fmt.Errorf("%w: update with id %q, not a stream position", ErrMalformed, id)
		}
		if !stock.NewerID(id, d.last) {
			return m, false, nil
		}
		m.Kind, m.ID = Update, id
		if err := d.decodeUpdate(data, id, &m.Event); err != nil {
			return m, false, fmt.Errorf("%w: update %s: %v", ErrMalformed, id, err)
		}
	case stock.EventSnapshot:
		m.Kind, m.ID = Snapshot, id
		if err := json.Unmarshal(data, &m.Snapshot); err != nil {
			return m, false, fmt.Errorf("%w: snapshot %s: %v", ErrMalformed, id, err)
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
