package pricefile

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/stockstream/stockstream/shared/stock"
)

// File is a price file loaded in full by Load: what it holds, and its
// quotes in a temporary file.
type File struct {
	Summary Summary
	spool   *spool
	runs    []run
	symbols map[string]string // each symbol once, for decoding
}

// Close removes the temporary file.
func (f *File) Close() error { return f.spool.close() }

// At is a quote and the line of the file it was read from.
type At struct {
	stock.Quote
	Line int
}

// Quotes returns a reader of the file's quotes in time order: a file
// listed newest first is read oldest first, and runs in time order are
// merged (ties in the file's order), unless Summary.Order is FileOrder.
func (f *File) Quotes() *Quotes {
	q := &Quotes{}
	for _, r := range f.runs {
		rr := &runReader{file: f, run: r, next: r.start}
		if r.reversed {
			rr.next = r.end
		}
		if r.start < r.end {
			q.runs = append(q.runs, rr)
		}
	}
	return q
}

// Quotes reads a loaded file's quotes in time order.
type Quotes struct {
	runs   []*runReader
	heap   runHeap
	primed bool
}

// Next returns the next quote, io.EOF after the last.
func (q *Quotes) Next() (At, error) {
	if len(q.runs) == 1 {
		return q.runs[0].take()
	}
	if !q.primed {
		q.primed = true
		for i, r := range q.runs {
			r.order = i
			if err := r.fill(); err != nil {
				return At{}, err
			}
			if r.ok {
				q.heap = append(q.heap, r)
			}
		}
		heap.Init(&q.heap)
	}
	if len(q.heap) == 0 {
		return At{}, io.EOF
	}
	r := q.heap[0]
	at := r.head
	if err := r.fill(); err != nil {
		return At{}, err
	}
	if r.ok {
		heap.Fix(&q.heap, 0)
	} else {
		heap.Pop(&q.heap)
	}
	return at, nil
}

// runReader reads one run of the spool, a block of records at a time.
type runReader struct {
	file  *File
	run   run
	next  int // the record after the buffer going forward; the first of it going back
	buf   []byte
	head  At
	ok    bool // head holds a quote
	order int
}

// recordsPerRead is how many records a run reads at once.
const recordsPerRead = 64

// take returns the run's next quote, io.EOF after its last.
func (r *runReader) take() (At, error) {
	if err := r.fill(); err != nil {
		return At{}, err
	}
	if !r.ok {
		return At{}, io.EOF
	}
	return r.head, nil
}

// fill reads the run's next quote into head; ok is false at its end.
func (r *runReader) fill() error {
	if len(r.buf) == 0 {
		if err := r.read(); err != nil {
			return err
		}
	}
	if len(r.buf) == 0 {
		r.ok = false
		return nil
	}
	var rec []byte
	if r.run.reversed {
		rec, r.buf = r.buf[len(r.buf)-recordSize:], r.buf[:len(r.buf)-recordSize]
	} else {
		rec, r.buf = r.buf[:recordSize], r.buf[recordSize:]
	}
	r.head, r.ok = r.file.decode(rec), true
	return nil
}

// read reads the next block of records of the run.
func (r *runReader) read() error {
	from, to := r.next, min(r.next+recordsPerRead, r.run.end)
	if r.run.reversed {
		from, to = max(r.next-recordsPerRead, r.run.start), r.next
		r.next = from
	} else {
		r.next = to
	}
	if from >= to {
		r.buf = r.buf[:0]
		return nil
	}
	if cap(r.buf) < recordsPerRead*recordSize {
		r.buf = make([]byte, recordsPerRead*recordSize)
	}
	r.buf = r.buf[:(to-from)*recordSize]
	if _, err := r.file.spool.f.ReadAt(r.buf, int64(from)*recordSize); err != nil {
		return fmt.Errorf("%s: reading its quotes back: %w", r.file.Summary.Name, err)
	}
	return nil
}

// runHeap orders runs by their next quote's time, then by run.
type runHeap []*runReader

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	a, b := h[i].head.Timestamp, h[j].head.Timestamp
	if !a.Equal(b) {
		return a.Before(b)
	}
	return h[i].order < h[j].order
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// A record is one quote in the spool: the symbol's length and bytes, the
// price in millionths, the time in Unix seconds and nanoseconds, and the
// line.
const (
	recordSize = 48
	offSymbol  = 1
	offPrice   = 16
	offSeconds = 24
	offNanos   = 32
	offLine    = 40
)

// spool is the temporary file of a File's records.
type spool struct {
	f    *os.File
	path string // removed at close: set where it could not be at once
	w    *bufio.Writer
	rec  [recordSize]byte
}

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "stockstream-quotes-*")
	if err != nil {
		return nil, fmt.Errorf("a temporary file for its quotes: %w", err)
	}
	s := &spool{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	if os.Remove(f.Name()) != nil {
		s.path = f.Name() // an open file cannot be removed here (Windows)
	}
	return s, nil
}

// append writes a quote read at line.
func (s *spool) append(q stock.Quote, line int) error {
	clear(s.rec[:])
	s.rec[0] = byte(len(q.Symbol))
	copy(s.rec[offSymbol:offPrice], q.Symbol)
	binary.LittleEndian.PutUint64(s.rec[offPrice:], uint64(q.Price.Micros()))
	binary.LittleEndian.PutUint64(s.rec[offSeconds:], uint64(q.Timestamp.Unix()))
	binary.LittleEndian.PutUint64(s.rec[offNanos:], uint64(q.Timestamp.Nanosecond()))
	binary.LittleEndian.PutUint64(s.rec[offLine:], uint64(line))
	_, err := s.w.Write(s.rec[:])
	return err
}

func (s *spool) finish() error { return s.w.Flush() }

func (s *spool) close() error {
	err := s.f.Close()
	if s.path != "" {
		err = errors.Join(err, os.Remove(s.path))
	}
	return err
}

// decode reads a record.
func (f *File) decode(rec []byte) At {
	n := min(int(rec[0]), stock.MaxSymbolLen)
	sym, ok := f.symbols[string(rec[offSymbol:offSymbol+n])]
	if !ok {
		sym = string(rec[offSymbol : offSymbol+n])
	}
	return At{
		Quote: stock.Quote{
			Symbol:    sym,
			Price:     stock.PriceFromMicros(int64(binary.LittleEndian.Uint64(rec[offPrice:]))),
			Timestamp: time.Unix(int64(binary.LittleEndian.Uint64(rec[offSeconds:])), int64(binary.LittleEndian.Uint64(rec[offNanos:]))).UTC(),
		},
		Line: int(binary.LittleEndian.Uint64(rec[offLine:])),
	}
}
