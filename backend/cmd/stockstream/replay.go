package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/backend/report"
	"github.com/stockstream/stockstream/backend/terminal"
	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/stock"
)

// fileSources returns the price files named, each opened when read.
func fileSources(names []string) []feed.Source {
	out := make([]feed.Source, len(names))
	for i, name := range names {
		out[i] = feed.Source{Name: name, Open: func() (io.ReadCloser, error) { return os.Open(name) }}
	}
	return out
}

// checkPriceFile opens a price file and reads its header, so that a wrong
// file is refused as the command line is read, before the file is loaded.
func checkPriceFile(name string, opt pricefile.Options) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = pricefile.Open(f, name, opt)
	return err
}

// loadReplay reads the files of serve --replay in full before the server
// starts, so that a file with a bad row is refused before anything is
// published: with a progress bar when stderr is a terminal, in the log
// otherwise.
func loadReplay(ctx context.Context, rc *replayConfig, stderr io.Writer, log *slog.Logger) error {
	if len(rc.files) == 0 {
		return nil
	}
	meter := report.New(stderr, terminal.Is(stderr), func(s string) { log.Info("replay: " + s) })
	files, err := feed.Load(ctx, fileSources(rc.files), rc.read, meter)
	if err != nil {
		return fmt.Errorf("--replay: %w", err)
	}
	rc.loaded = files
	return nil
}

// close removes the loaded files' temporary copies.
func (rc *replayConfig) close() {
	for _, f := range rc.loaded {
		f.Close()
	}
}

// runReplay publishes the files of serve --replay, stamped with the time
// they are published, as a live feed, while this instance holds the
// replay's lease (see leaseGate): it starts once the lease is first taken,
// and whatever keeps it from publishing later (the broker away, the lease
// lost in an outage) it waits for and goes on from where it was, until
// ctx ends. A replay that is done (without
// --replay-loop) keeps its lease until the server stops, so that no other
// instance replays the files again; one that fails for good (a line that
// cannot be read, a refused batch) releases it.
func runReplay(ctx context.Context, rc replayConfig, pub feed.Publisher, runExclusive exclusive, log *slog.Logger) {
	gate := &leaseGate{pub: pub, taken: make(chan struct{})}
	failed := make(chan struct{})
	go runExclusive(ctx, "replay", func(ctx context.Context) { gate.hold(ctx, failed) })
	select {
	case <-gate.taken:
	case <-ctx.Done():
		return
	}
	r := &feed.Replay{Files: rc.loaded, Speed: rc.speed, Loop: rc.loop, Now: true, Log: log}
	st, err := r.Run(ctx, gate)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
	case err != nil:
		log.Error("replay: stopped; releasing its lease", "err", err, "prices", st.Prices)
		close(failed)
	default:
		log.Info("replay: done", "prices", st.Prices, "symbols", len(st.Symbols), "skipped", st.Skipped.Total(), "rounded", st.Rounded)
	}
}

// errNotHolder refuses a replay's publish while another instance holds
// its lease, or none does (the broker is away): the replay waits.
var errNotHolder = fmt.Errorf("%w: this instance does not hold the replay's lease", backend.ErrUnavailable)

// leaseGate lets a replay publish only while this instance holds its
// lease, so that one instance of a deployment replays at a time. The
// replay goes on running without it, waiting at its next batch.
type leaseGate struct {
	pub   feed.Publisher
	taken chan struct{} // closed once the lease is first held
	once  sync.Once
	mu    sync.Mutex
	held  bool
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
	g.once.Do(func() { close(g.taken) })
	select {
	case <-ctx.Done():
	case <-failed:
	}
}

func (g *leaseGate) set(held bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.held = held
}
