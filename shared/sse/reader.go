package sse

import (
	"bytes"
	"errors"
	"io"
	"time"
)

// Event is one dispatched event of a stream. Its slices belong to the
// Reader and stay valid until the next call to Next: copy what you keep.
type Event struct {
	// ID is the stream's last event id once this event was read, as
	// EventSource's lastEventId: an event without an "id:" field carries
	// the previous one.
	ID []byte
	// Type is the "event:" field; empty means "message".
	Type []byte
	// Data is the event's data lines joined by "\n".
	Data []byte
}

// ErrTooLong is returned by Reader.Next when a line, or the data of one
// event, exceeds the Reader's limit.
var ErrTooLong = errors.New("sse: line or event longer than the limit")

// minBuffer is the read buffer a Reader starts with.
const minBuffer = 4096

// maxEmptyReads is how many reads in a row may return nothing, without an
// error, before the source is taken as broken (as bufio does).
const maxEmptyReads = 100

// bom is the byte order mark a stream may start with.
var bom = []byte("\xef\xbb\xbf")

// Reader decodes a text/event-stream as the HTML standard's event stream
// interpretation says: lines end with "\r\n", "\n" or a lone "\r"; a blank
// line dispatches the event being read, if it has data; comments and
// unknown fields are skipped; "id:" sets the last event id unless its value
// holds a NUL; "retry:" with only digits sets the reconnection time; an
// event the stream ends in the middle of is discarded.
//
// Reading allocates nothing per event once its buffers have grown to the
// stream's largest line and event.
type Reader struct {
	src   io.Reader
	buf   []byte // buf[start:end] is read but not consumed
	start int
	end   int
	limit int
	err   error // from src, returned once buf is consumed

	skipLF   bool // the last line ended in '\r': a '\n' next belongs to it
	started  bool // the first line was read (a BOM is skipped before it)
	typ      []byte
	data     []byte
	hasData  bool
	lastID   []byte
	retry    time.Duration
	comments int
}

// NewReader returns a Reader of r that refuses lines and events longer than
// limit bytes with ErrTooLong.
func NewReader(r io.Reader, limit int) *Reader {
	return &Reader{src: r, buf: make([]byte, min(minBuffer, limit+1)), limit: limit}
}

// Next returns the next event. At the end of the stream it returns io.EOF
// (or the error that ended it); a stream that breaks a limit returns
// ErrTooLong, after which the Reader is of no further use.
func (r *Reader) Next() (Event, error) {
	r.typ, r.data, r.hasData = r.typ[:0], r.data[:0], false
	for {
		line, err := r.readLine()
		if err != nil {
			return Event{}, err
		}
		if len(line) == 0 {
			if r.hasData {
				return Event{ID: r.lastID, Type: r.typ, Data: r.data}, nil
			}
			r.typ = r.typ[:0]
			continue
		}
		if err := r.field(line); err != nil {
			return Event{}, err
		}
	}
}

// field applies one non-blank line to the event being read.
func (r *Reader) field(line []byte) error {
	if line[0] == ':' {
		r.comments++
		return nil
	}
	name, value, found := bytes.Cut(line, []byte{':'})
	if found && len(value) > 0 && value[0] == ' ' {
		value = value[1:]
	}
	switch string(name) {
	case "event":
		r.typ = append(r.typ[:0], value...)
	case "data":
		if r.hasData {
			r.data = append(r.data, '\n')
		}
		if len(r.data)+len(value) > r.limit {
			return ErrTooLong
		}
		r.data, r.hasData = append(r.data, value...), true
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			r.lastID = append(r.lastID[:0], value...)
		}
	case "retry":
		if ms, ok := digits(value); ok {
			r.retry = time.Duration(ms) * time.Millisecond
		}
	}
	return nil
}

// digits parses a non-empty run of ASCII digits, refusing anything else and
// values too large to be a sensible delay.
func digits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 12 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// readLine returns the next line without its end. The line is valid until
// the next read.
func (r *Reader) readLine() ([]byte, error) {
	for {
		b := r.buf[r.start:r.end]
		if r.skipLF && len(b) > 0 {
			r.skipLF = false
			if b[0] == '\n' {
				r.start++
				b = b[1:]
			}
		}
		if !r.started && (len(b) >= len(bom) || !bytes.HasPrefix(bom, b) || r.err != nil) {
			r.started = true
			if bytes.HasPrefix(b, bom) {
				r.start += len(bom)
				b = b[len(bom):]
			}
		}
		if i := lineEnd(b); i >= 0 && r.started {
			if i > r.limit {
				return nil, ErrTooLong
			}
			r.consumeLine(b, i)
			return b[:i], nil
		}
		if len(b) > r.limit {
			return nil, ErrTooLong
		}
		if r.err != nil {
			return nil, r.err
		}
		r.fill()
	}
}

// consumeLine consumes the line of b that ends at i, and its line end.
func (r *Reader) consumeLine(b []byte, i int) {
	r.start += i + 1
	if b[i] != '\r' {
		return
	}
	switch {
	case i+1 == len(b):
		r.skipLF = true // the '\n' of a "\r\n" may still be on its way
	case b[i+1] == '\n':
		r.start++
	}
}

// lineEnd returns the index of the first '\r' or '\n' in b, or -1.
func lineEnd(b []byte) int {
	n := bytes.IndexByte(b, '\n')
	within := b
	if n >= 0 {
		within = b[:n]
	}
	if c := bytes.IndexByte(within, '\r'); c >= 0 {
		return c
	}
	return n
}

// fill reads more of the stream into the buffer, first moving what is left
// to its front and growing it when it is full, up to the limit.
func (r *Reader) fill() {
	if r.start > 0 {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	if r.end == len(r.buf) {
		grown := make([]byte, min(2*len(r.buf), r.limit+1))
		copy(grown, r.buf[:r.end])
		r.buf = grown
	}
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.end:])
		r.end += n
		if err != nil {
			r.err = err
		}
		if n > 0 || err != nil {
			return
		}
	}
	r.err = io.ErrNoProgress
}

// LastEventID returns the id EventSource would send on reconnect.
func (r *Reader) LastEventID() string { return string(r.lastID) }

// Retry returns the reconnection time the stream last set with "retry:",
// or 0 if it set none.
func (r *Reader) Retry() time.Duration { return r.retry }

// Comments returns the number of comment lines (heartbeats) read so far.
func (r *Reader) Comments() int { return r.comments }

// Owned is an Event copied out of the Reader's buffers.
type Owned struct {
	ID, Type, Data string
}

// Own returns a copy of e that stays valid after the next call to Next.
func (e Event) Own() Owned {
	return Owned{ID: string(e.ID), Type: string(e.Type), Data: string(e.Data)}
}
