package feed_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/shared/stock"
)

func TestTickIsSeededRoundedAndPlausible(t *testing.T) {
	syms := []string{"AAPL", "MSFT", "ZZZZ"}
	a := feed.NewSimulator(nil, syms, time.Second, 42, slog.Default())
	b := feed.NewSimulator(nil, syms, time.Second, 42, slog.Default())
	c := feed.NewSimulator(nil, syms, time.Second, 43, slog.Default())
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	same, differs := true, false
	for i := range 1000 {
		qa, qb, qc := a.Tick(now), b.Tick(now), c.Tick(now)
		for j, q := range qa {
			if q.Price != qb[j].Price {
				same = false
			}
			if q.Price != qc[j].Price {
				differs = true
			}
			if q.Symbol != syms[j] || !q.Timestamp.Equal(now) {
				t.Fatalf("tick %d: quote %+v", i, q)
			}
			if q.Price.Micros()%10_000 != 0 || q.Price.Micros() <= 0 {
				t.Fatalf("tick %d: %s is not a positive whole number of cents", i, q.Price)
			}
			start := feed.StartingPrice(q.Symbol)
			if p := q.Price.Float64(); p < start/3 || p > start*3 {
				t.Fatalf("tick %d: %s wandered from %.2f to %.2f", i, q.Symbol, start, p)
			}
		}
	}
	if !same {
		t.Fatal("the same seed gave different prices")
	}
	if !differs {
		t.Fatal("different seeds gave the same prices")
	}
}

func TestStartingPrices(t *testing.T) {
	if p := feed.StartingPrice("MSFT"); p != 420 {
		t.Fatalf("MSFT starts at %v", p)
	}
	if p := feed.StartingPrice("UNKNOWN"); p < 20 || p >= 500 || p != feed.StartingPrice("UNKNOWN") {
		t.Fatalf("derived starting price %v", p)
	}
}

// recorder is a Publisher that keeps what it is given.
type recorder struct {
	mu     sync.Mutex
	ticks  [][]stock.Quote
	failAt int
}

func (r *recorder) Publish(_ context.Context, req backend.PublishRequest) ([]stock.StockPriceEvent, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ticks = append(r.ticks, req.Quotes)
	if len(r.ticks) == r.failAt {
		return nil, io.ErrUnexpectedEOF
	}
	return make([]stock.StockPriceEvent, len(req.Quotes)), nil
}

func TestRunPublishesEveryIntervalAndSurvivesErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{failAt: 2}
		sim := feed.NewSimulator(rec, []string{"AAPL", "GOOG"}, 250*time.Millisecond, 1, slog.New(slog.NewTextHandler(io.Discard, nil)))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { sim.Run(ctx); close(done) }()
		time.Sleep(time.Second + time.Millisecond)
		synctest.Wait()
		rec.mu.Lock()
		n := len(rec.ticks)
		rec.mu.Unlock()
		if n != 4 {
			t.Fatalf("%d ticks in 1s at 250ms, want 4 (a failed publish must not stop it)", n)
		}
		cancel()
		<-done
	})
}
