package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// Hold runs a function for as long as this instance holds a lease of the
// deployment, and again each time it takes the lease anew, until ctx ends
// or the function returns by itself. The function's context ends when the
// lease is lost. On a broker of the instance's own, the lease is always
// held.
type Hold func(ctx context.Context, run func(context.Context))

// RunWhileHeld publishes the replay through pub while this instance holds
// the replay's lease, so that one instance of a deployment replays at a
// time. It starts once the lease is first held; whatever keeps it from
// publishing later (the broker away, the lease lost in an outage) it waits
// for and goes on from where it was, rather than starting over, until ctx
// ends. A replay that is done (without Loop) keeps its lease until ctx
// ends, so that no other instance replays the files again; one that fails
// for good (a line that cannot be read, a refused batch) releases it.
func (r *Replay) RunWhileHeld(ctx context.Context, pub Publisher, hold Hold) {
	gate := &leaseGate{pub: pub, taken: make(chan struct{})}
	failed := make(chan struct{})
	go hold(ctx, func(ctx context.Context) { gate.hold(ctx, failed) })
	select {
	case <-gate.taken:
	case <-ctx.Done():
		return
	}
	st, err := r.Run(ctx, gate)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
	case err != nil:
		r.logAt(slog.LevelError, "replay: stopped; releasing its lease", "err", err, "prices", st.Prices)
		close(failed)
	default:
		r.logAt(slog.LevelInfo, "replay: done", "prices", st.Prices, "symbols", len(st.Symbols), "skipped", st.Skipped.Total(), "rounded", st.Rounded)
	}
}

// errNotHolder refuses a replay's publish while another instance holds
// its lease, or none does (the broker is away): the replay waits.
var errNotHolder = fmt.Errorf("%w: this instance does not hold the replay's lease", backend.ErrUnavailable)

// leaseGate lets a replay publish only while this instance holds its
// lease. The replay goes on running without it, waiting at its next batch.
type leaseGate struct {
	pub   Publisher
	taken chan struct{} // closed once the lease is first held
	mu    sync.Mutex
	held  bool
	ever  bool // the lease was held once: taken is closed
}

// Publish publishes through the gate's publisher while the lease is held.
func (g *leaseGate) Publish(ctx context.Context, req backend.PublishRequest) ([]stock.StockPriceEvent, error) {
	g.mu.Lock()
	held := g.held
	g.mu.Unlock()
	if !held {
		return nil, errNotHolder
	}
	return g.pub.Publish(ctx, req)
}

// hold opens the gate until ctx ends (the lease is lost, or the server
// stops) or failed is closed.
func (g *leaseGate) hold(ctx context.Context, failed <-chan struct{}) {
	g.set(true)
	defer g.set(false)
	select {
	case <-ctx.Done():
	case <-failed:
	}
}

// set opens or closes the gate; the first opening closes taken.
func (g *leaseGate) set(held bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.held = held
	if held && !g.ever {
		g.ever = true
		close(g.taken)
	}
}
