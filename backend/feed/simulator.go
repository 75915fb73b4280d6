// Package feed holds price sources that publish through a Broker. Simulator
// is the built-in one: a geometric Brownian motion per symbol.
package feed

import (
	"context"
	"hash/fnv"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// Publisher is the part of backend.Broker a price source needs.
type Publisher interface {
	Publish(ctx context.Context, req backend.PublishRequest) ([]stock.StockPriceEvent, error)
}

// Annual drift and volatility of the simulated prices.
const (
	drift                 = 0.05
	volatility            = 0.25
	tradingSecondsPerYear = 252 * 6.5 * 3600
	// speedup runs the simulated market faster than the clock, so that a
	// one-second tick moves a price visibly (by a trading minute).
	speedup = 60
)

// startingPrices are plausible prices for well-known symbols; others start
// from a price derived from the symbol's name.
var startingPrices = map[string]float64{
	"AAPL": 190.00, "MSFT": 420.00, "GOOG": 170.00, "AMZN": 180.00,
	"META": 480.00, "NVDA": 120.00, "TSLA": 250.00, "NFLX": 620.00,
}

// Simulator publishes one price per symbol every tick.
type Simulator struct {
	pub      Publisher
	symbols  []string
	interval time.Duration
	rng      *rand.Rand
	prices   []float64
	log      *slog.Logger
}

// NewSimulator returns a Simulator for symbols, ticking every interval,
// whose random walk is fully determined by seed.
func NewSimulator(pub Publisher, symbols []string, interval time.Duration, seed uint64, log *slog.Logger) *Simulator {
	s := &Simulator{
		pub: pub, symbols: symbols, interval: interval,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		prices: make([]float64, len(symbols)),
		log:    log,
	}
	for i, sym := range symbols {
		s.prices[i] = StartingPrice(sym)
	}
	return s
}

// StartingPrice is the first simulated price of symbol.
func StartingPrice(symbol string) float64 {
	if p, ok := startingPrices[symbol]; ok {
		return p
	}
	h := fnv.New32a()
	h.Write([]byte(symbol))
	return 20 + float64(h.Sum32()%48000)/100 // 20.00 to 499.99
}

// Tick advances every symbol one step and returns the quotes, prices
// rounded to cents and never below one cent.
func (s *Simulator) Tick(now time.Time) []stock.Quote {
	dt := s.interval.Seconds() * speedup / tradingSecondsPerYear
	quotes := make([]stock.Quote, len(s.symbols))
	for i, sym := range s.symbols {
		z := s.rng.NormFloat64()
		s.prices[i] *= math.Exp((drift-volatility*volatility/2)*dt + volatility*math.Sqrt(dt)*z)
		cents := max(int64(math.Round(s.prices[i]*100)), 1)
		s.prices[i] = float64(cents) / 100
		quotes[i] = stock.Quote{Symbol: sym, Price: stock.PriceFromCents(cents), Timestamp: now.UTC()}
	}
	return quotes
}

// Run publishes a tick every interval until ctx ends. A failed publish is
// logged (once, until one succeeds again) and the next tick tries again.
func (s *Simulator) Run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			_, err := s.pub.Publish(ctx, backend.PublishRequest{Quotes: s.Tick(now)})
			switch {
			case err != nil && ctx.Err() == nil && !failing:
				s.log.Warn("simulator: publish failed; trying again every tick", "err", err)
				failing = true
			case err != nil && ctx.Err() == nil:
				s.log.Debug("simulator: publish failed", "err", err)
			case err == nil && failing:
				s.log.Info("simulator: publishing again")
				failing = false
			}
		}
	}
}
