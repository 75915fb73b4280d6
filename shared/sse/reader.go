package sse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
)

// Event is one decoded frame of a stream.
type Event struct {
	ID    string // last id seen, as EventSource's lastEventId
	Event string // event type; "" means "message"
	Data  string // data lines joined by "\n"
	Retry int    // retry field in ms, or 0
}

// ErrLineTooLong is returned by Reader.Next when a line exceeds the limit.
var ErrLineTooLong = errors.New("sse: line too long")

// Reader decodes an event stream as the HTML standard specifies: it keeps the
// last event id across frames, skips comments and returns one Event per
// dispatched frame.
type Reader struct {
	sc     *bufio.Scanner
	lastID string
	// Comments counts comment lines (heartbeats) seen so far.
	Comments int
}

// NewReader returns a Reader that accepts lines up to maxLine bytes.
func NewReader(r io.Reader, maxLine int) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(4096, maxLine)), maxLine)
	sc.Split(scanLines)
	return &Reader{sc: sc}
}

// Next returns the next event, skipping frames with no data (a lone retry
// field is returned, with empty Data, so callers can see it). It returns
// io.EOF when the stream ends.
func (r *Reader) Next() (Event, error) {
	var ev Event
	var data []byte
	hasData := false
	for r.sc.Scan() {
		line := r.sc.Bytes()
		if len(line) == 0 {
			if hasData || ev.Retry > 0 {
				ev.ID = r.lastID
				ev.Data = string(data)
				return ev, nil
			}
			ev, data = Event{}, data[:0]
			continue
		}
		if line[0] == ':' {
			r.Comments++
			continue
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(name) {
		case "event":
			ev.Event = string(value)
		case "data":
			if hasData {
				data = append(data, '\n')
			}
			data, hasData = append(data, value...), true
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				r.lastID = string(value)
			}
		case "retry":
			if n, err := strconv.Atoi(string(value)); err == nil {
				ev.Retry = n
			}
		}
	}
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Event{}, ErrLineTooLong
		}
		return Event{}, err
	}
	return Event{}, io.EOF
}

// LastEventID returns the id EventSource would send on reconnect.
func (r *Reader) LastEventID() string { return r.lastID }

// scanLines splits on "\n", "\r\n" or a lone "\r", as the SSE grammar allows.
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
	for i, c := range data {
		switch c {
		case '\n':
			return i + 1, data[:i], nil
		case '\r':
			if i+1 < len(data) {
				if data[i+1] == '\n' {
					return i + 2, data[:i], nil
				}
				return i + 1, data[:i], nil
			}
			if atEOF {
				return i + 1, data[:i], nil
			}
			return 0, nil, nil // need one more byte to tell "\r" from "\r\n"
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
