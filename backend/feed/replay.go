package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/stock"
)

// MaxBatch is the most quotes a replay publishes at once: what one
// POST /api/prices takes. 5,000 quotes of the longest form encode to about
// 600 KiB of JSON, under the 1 MiB a request may carry.
const MaxBatch = 5000

// Source is a price file to load.
type Source struct {
	// Name names the file in errors and, for a file without a symbol
	// column, its symbol.
	Name string
	// Open opens the file.
	Open func() (io.ReadCloser, error)
}

// Replay publishes price files, loaded in full by Load, paced by their own
// timestamps. The quotes of several files are merged in timestamp order,
// as one market.
type Replay struct {
	Files []*pricefile.File
	Speed Speed
	// Loop starts over after the last quote, until ctx ends.
	Loop bool
	// Now stamps each quote with the moment it is published instead of
	// the file's timestamp, as a live feed: a loop then never sends time
	// backwards, and bars and session opens follow the clock.
	Now bool
	// Progress, if set, is called after each published batch.
	Progress func(Stats)
	Log      *slog.Logger
}

// Stats sums up what a replay published.
type Stats struct {
	Prices  int
	Symbols map[string]bool
	// First and Last are the file timestamps of the first and last quote.
	First, Last time.Time
	// Skipped counts the files' rows without a price, by reason; Rounded,
	// their prices rounded to six decimal places (float artefacts).
	Skipped pricefile.Skips
	Rounded int
	Started time.Time
}

// quoteAt is a quote with the place it came from.
type quoteAt struct {
	stock.Quote
	file string
	line int
}

// Run publishes every quote of the files once (or, with Loop, until ctx
// ends) and returns what it published. A batch the publisher refuses ends
// it with an error naming the file and line of the item at fault.
func (r *Replay) Run(ctx context.Context, pub Publisher) (Stats, error) {
	st := Stats{Symbols: map[string]bool{}, Skipped: pricefile.Skips{}, Started: time.Now()}
	for _, f := range r.Files {
		st.Skipped.Add(f.Summary.Skipped)
		st.Rounded += f.Summary.Rounded
	}
	for round := 0; ; round++ {
		before := st.Prices
		if err := r.round(ctx, pub, &st); err != nil {
			return st, err
		}
		if r.Loop && st.Prices == before && ctx.Err() == nil {
			return st, errors.New("nothing to replay: the files hold no prices")
		}
		if !r.Loop || ctx.Err() != nil {
			return st, ctx.Err()
		}
		if r.Log != nil {
			r.Log.Info("replay: starting over", "round", round+2, "prices", st.Prices)
		}
	}
}

// round replays every file once.
func (r *Replay) round(ctx context.Context, pub Publisher, st *Stats) error {
	m, err := openMerge(r.Files)
	if err != nil {
		return err
	}
	var (
		batch        = make([]stock.Quote, 0, MaxBatch)
		from         = make([]quoteAt, 0, MaxBatch)
		fileStart    time.Time
		wallStart    = time.Now()
		next, hasNxt = m.peek()
	)
	for hasNxt {
		if fileStart.IsZero() {
			fileStart = next.Timestamp
		}
		if !backoff.Sleep(ctx, time.Until(wallStart.Add(r.Speed.wallTime(next.Timestamp.Sub(fileStart))))) {
			return ctx.Err()
		}
		// Take every quote that is due now, up to a batch.
		now := time.Now()
		for hasNxt && len(batch) < MaxBatch && !wallStart.Add(r.Speed.wallTime(next.Timestamp.Sub(fileStart))).After(now) {
			q := m.next()
			from = append(from, q)
			batch = append(batch, r.stamp(q.Quote, now))
			next, hasNxt = m.peek()
		}
		if err := publishBatch(ctx, pub, batch, from); err != nil {
			return err
		}
		st.add(from)
		if r.Progress != nil {
			r.Progress(*st)
		}
		batch, from = batch[:0], from[:0]
	}
	return m.err
}

// stamp returns q as published: with the publishing time if r.Now.
func (r *Replay) stamp(q stock.Quote, now time.Time) stock.Quote {
	if r.Now {
		q.Timestamp = now.UTC()
	}
	return q
}

// ItemError is an error of a publisher that names the item of a batch it
// refused, so the replay can name the file and line.
type ItemError interface {
	error
	Item() int
}

// publishBatch publishes one batch, naming the file and line of an item
// the publisher refused.
func publishBatch(ctx context.Context, pub Publisher, batch []stock.Quote, from []quoteAt) error {
	if len(batch) == 0 {
		return nil
	}
	_, err := pub.Publish(ctx, batch)
	if err == nil || ctx.Err() != nil {
		return ctx.Err()
	}
	var ie ItemError
	if errors.As(err, &ie) && ie.Item() >= 0 && ie.Item() < len(from) {
		q := from[ie.Item()]
		return fmt.Errorf("%s:%d: %w", q.file, q.line, err)
	}
	return err
}

// add counts a published batch.
func (s *Stats) add(batch []quoteAt) {
	for _, q := range batch {
		if s.Prices == 0 {
			s.First = q.Timestamp
		}
		s.Prices++
		s.Last = q.Timestamp
		s.Symbols[q.Symbol] = true
	}
}
