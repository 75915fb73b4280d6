package loadgen

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stockstream/stockstream/bench/internal/hist"
	"github.com/stockstream/stockstream/bench/internal/sseclient"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// receiver is one SSE stream and what it has received.
type receiver struct {
	id     int
	stream *sseclient.Stream
	// last is the highest sequence number received so far.
	last atomic.Uint64
	// got counts measured events (above the clock's floor) received in
	// order; gaps counts measured events skipped between two received
	// ones; dups counts events at or below last (and, on a conflated
	// stream, events whose id does not increase).
	got, gaps, dups atomic.Uint64
	dead            atomic.Bool
	err             atomic.Pointer[error] // why the stream ended, if it did early
	// finals, for a conflated stream, holds the last sequence number
	// received per symbol (indexed as symbols): gaps are then expected.
	finals []atomic.Uint64
	// lastID is the last event id of a conflated stream, whose ids (the
	// server's, decimal) must strictly increase; one that does not counts
	// in dups.
	lastID uint64
}

// idIncreases reports whether a conflated stream's event id is a decimal
// number above the previous one, and remembers it.
func (r *receiver) idIncreases(id []byte) bool {
	n, err := strconv.ParseUint(string(id), 10, 64)
	if err != nil || n <= r.lastID {
		return false
	}
	r.lastID = n
	return true
}

// staleFinals returns how many symbols' last received event is not the
// symbol's last published one, last being the last sequence published.
func (r *receiver) staleFinals(last uint64) uint64 {
	n := uint64(len(r.finals))
	stale := uint64(0)
	for k := range r.finals {
		if want := lastOf(uint64(k), n, last); want > 0 && r.finals[k].Load() != want {
			stale++
		}
	}
	return stale
}

// lastOf returns the largest sequence number up to last that belongs to
// symbol k of n (seq % n == k), or 0 if none.
func lastOf(k, n, last uint64) uint64 {
	if last < k {
		return 0
	}
	return last - (last-k)%n
}

// clock turns sequence numbers into the time they were published, relative
// to a common base on the monotonic clock.
type clock struct {
	base time.Time
	sent []atomic.Int64 // nanoseconds since base, indexed by sequence
	// floor is the last warm-up event: later ones are measured.
	floor atomic.Uint64
}

func newClock(capacity int) *clock {
	return &clock{base: time.Now(), sent: make([]atomic.Int64, capacity+1)}
}

func (c *clock) now() int64 { return int64(time.Since(c.base)) }

// run reads the stream until it ends, recording a latency per event.
// Events are read with the project's SSE reader; snapshots and events
// without a price are skipped.
func (r *receiver) run(c *clock, h *hist.Histogram, maxEvent int) {
	defer r.dead.Store(true)
	if err := r.stream.ReadHeader(); err != nil {
		r.err.Store(&err)
		return
	}
	sr := sse.NewReader(r.stream.Body(), maxEvent)
	for {
		ev, err := sr.Next()
		if err != nil {
			r.err.Store(&err)
			return
		}
		if string(ev.Type) == stock.EventSnapshot {
			continue
		}
		seq, ok := sseclient.PriceSeq(ev.Data)
		if !ok {
			continue
		}
		prev := r.last.Load()
		if seq <= prev || r.finals != nil && !r.idIncreases(ev.ID) {
			r.dups.Add(1)
			continue
		}
		r.last.Store(seq)
		if r.finals != nil {
			r.finals[seq%uint64(len(r.finals))].Store(seq)
		}
		floor := c.floor.Load()
		if seq <= floor {
			continue
		}
		if from := max(prev, floor); seq > from+1 && r.finals == nil {
			r.gaps.Add(seq - from - 1)
		}
		r.got.Add(1)
		if seq < uint64(len(c.sent)) {
			if sent := c.sent[seq].Load(); sent > 0 {
				h.Record(time.Duration(c.now()-sent), r.id)
			}
		}
	}
}

// dialFunc opens the i-th stream.
type dialFunc func(ctx context.Context, i int) (*sseclient.Stream, error)

// openAll opens n streams with the given number of concurrent dialers and
// returns those that opened, with the errors of those that did not (the
// first few messages and the total count). Conflated streams track the
// last event of each symbol.
func openAll(ctx context.Context, dial dialFunc, n, workers int, conflated bool) ([]*receiver, []string, int) {
	out := make([]*receiver, n)
	var mu sync.Mutex
	var msgs []string
	failed := 0
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				s, err := dial(ctx, i)
				if err != nil {
					mu.Lock()
					failed++
					if len(msgs) < 5 {
						msgs = append(msgs, err.Error())
					}
					mu.Unlock()
					continue
				}
				out[i] = &receiver{id: i, stream: s}
				if conflated {
					out[i].finals = make([]atomic.Uint64, len(symbols))
				}
			}
		})
	}
	wg.Wait()
	open := out[:0]
	for _, r := range out {
		if r != nil {
			open = append(open, r)
		}
	}
	return open, msgs, failed
}
