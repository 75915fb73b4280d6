// Package sseclient is the load generator's SSE client: one raw HTTP/1.1
// connection per stream, read with a line parser that allocates nothing per
// event so that the generator is not the bottleneck of a benchmark.
package sseclient

import (
	"bufio"
	"bytes"
	"io"
)

var (
	dataPrefix     = []byte("data:")
	eventPrefix    = []byte("event:")
	pricePrefix    = []byte(`"price":`)
	snapshotMarker = []byte("snapshot")
)

// Parser reads SSE frames and extracts the sequence number that the load
// generator encodes as the integer price of every event it publishes.
type Parser struct {
	r        *bufio.Reader
	snapshot bool // the current frame is a snapshot, not a live event
}

// NewParser returns a Parser reading from r through a buffer of size bytes.
func NewParser(r io.Reader, size int) *Parser {
	return &Parser{r: bufio.NewReaderSize(r, size)}
}

// Next returns the sequence number of the next live event. Frames without a
// price (comments, retry, snapshots, heartbeats) are skipped.
func (p *Parser) Next() (uint64, error) {
	for {
		line, err := p.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if err = p.skipRest(); err != nil {
				return 0, err
			}
			continue
		}
		if err != nil {
			return 0, err
		}
		switch {
		case len(line) <= 2 && (line[0] == '\n' || line[0] == '\r'):
			p.snapshot = false // a blank line ends the frame
		case bytes.HasPrefix(line, eventPrefix):
			p.snapshot = bytes.Contains(line, snapshotMarker)
		case bytes.HasPrefix(line, dataPrefix) && !p.snapshot:
			if seq, ok := PriceSeq(line); ok {
				return seq, nil
			}
		}
	}
}

// skipRest discards the remainder of a line longer than the buffer.
func (p *Parser) skipRest() error {
	for {
		_, err := p.r.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

// PriceSeq returns the integer part of the first "price": number in line.
func PriceSeq(line []byte) (uint64, bool) {
	i := bytes.Index(line, pricePrefix)
	if i < 0 {
		return 0, false
	}
	rest := line[i+len(pricePrefix):]
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '"') {
		rest = rest[1:]
	}
	var n uint64
	digits := 0
	for _, c := range rest {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + uint64(c-'0')
		digits++
	}
	return n, digits > 0
}
