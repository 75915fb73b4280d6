package feed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/backoff"
	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/stock"
)

// retryUnavailable paces the attempts to publish a batch while the
// publisher is unavailable.
var retryUnavailable = backoff.Policy{Base: 100 * time.Millisecond, Max: 2 * time.Second}

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
// ends) and returns what it published. Each batch goes under a key of its
// own; while the publisher is unavailable (backend.ErrUnavailable) the
// batch is sent again with backoff under the same key, so that it is
// applied once, and the pace resumes from where it was. A batch the
// publisher refuses ends it with an error naming the file and line of the
// item at fault.
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
		waited, err := r.publishBatch(ctx, pub, batch, from)
		if err != nil {
			return err
		}
		wallStart = wallStart.Add(waited)
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

// publishBatch publishes one batch under a new key, sending it again
// while the publisher is unavailable, and returns how long it waited for
// that. An error names the file and line of an item the publisher refused.
func (r *Replay) publishBatch(ctx context.Context, pub Publisher, batch []stock.Quote, from []quoteAt) (time.Duration, error) {
	if len(batch) == 0 {
		return 0, nil
	}
	req := backend.PublishRequest{Quotes: batch, Key: newKey()}
	start := time.Now()
	for attempt := 0; ; attempt++ {
		_, err := pub.Publish(ctx, req)
		if err == nil || ctx.Err() != nil {
			if attempt > 0 {
				r.logAt(slog.LevelInfo, "replay: publishing again", "waited", time.Since(start).Round(time.Millisecond))
				return time.Since(start), ctx.Err()
			}
			return 0, ctx.Err()
		}
		if !errors.Is(err, backend.ErrUnavailable) {
			return 0, itemError(err, from)
		}
		if attempt == 0 {
			r.logAt(slog.LevelWarn, "replay: cannot publish; sending the batch again until it goes through", "err", err)
		}
		backoff.Sleep(ctx, retryUnavailable.Delay(attempt))
	}
}

// logAt logs to r.Log, if set.
func (r *Replay) logAt(level slog.Level, msg string, args ...any) {
	if r.Log != nil {
		r.Log.Log(context.Background(), level, msg, args...)
	}
}

// newKey returns a new publish key: 32 random hex digits.
func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// itemError names the file and line of the item of a batch that err
// refused, if it names one.
func itemError(err error, from []quoteAt) error {
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
