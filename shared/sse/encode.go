package sse

import (
	"bytes"
	"strconv"
	"strings"
)

// AppendEvent appends one event frame: "id:", "event:" (each only when not
// empty), one "data:" line per line of data, and the blank line that ends the
// frame. Line breaks in data ("\n", "\r\n" or "\r") become separate data lines,
// so no payload can end a frame early. Line breaks in id or event are replaced
// by spaces for the same reason.
func AppendEvent(b []byte, id, event string, data []byte) []byte {
	if id != "" {
		b = append(b, "id: "...)
		b = appendField(b, id)
		b = append(b, '\n')
	}
	if event != "" {
		b = append(b, "event: "...)
		b = appendField(b, event)
		b = append(b, '\n')
	}
	for {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			break
		}
		b = append(b, "data: "...)
		b = append(b, data[:i]...)
		b = append(b, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	b = append(b, "data: "...)
	b = append(b, data...)
	return append(b, '\n', '\n')
}

// appendField appends an id or event name with line breaks and NULs removed.
func appendField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, "\r\n\x00") {
		return append(b, s...)
	}
	return append(b, strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return ' '
		}
		return r
	}, s)...)
}

// AppendRetry appends the "retry:" field that tells EventSource how many
// milliseconds to wait before reconnecting.
func AppendRetry(b []byte, ms int64) []byte {
	b = append(b, "retry: "...)
	b = strconv.AppendInt(b, ms, 10)
	return append(b, '\n', '\n')
}

// Heartbeat is the comment frame written when a stream has been silent for
// the heartbeat interval; clients ignore it, proxies see traffic.
var Heartbeat = []byte(":\n\n")

// AppendComment appends a comment frame carrying text (line breaks become
// spaces, so the comment cannot end early); clients ignore it.
func AppendComment(b []byte, text string) []byte {
	b = append(b, ": "...)
	b = appendField(b, text)
	return append(b, '\n', '\n')
}
