package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"

	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/shared/pricefile"
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
// file is refused when the server starts rather than when it replays.
func checkPriceFile(name, symbol string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = pricefile.Open(f, name, symbol)
	return err
}

// runReplay publishes the files of serve --replay, stamped with the time
// they are published, as a live feed. A replay that ends (without
// --replay-loop) keeps its lease until the server stops, so that no other
// instance replays the files again.
func runReplay(ctx context.Context, rc replayConfig, pub feed.Publisher, log *slog.Logger) {
	r := &feed.Replay{Sources: fileSources(rc.files), Symbol: rc.symbol, Speed: rc.speed, Loop: rc.loop, Now: true, Log: log}
	st, err := r.Run(ctx, pub)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return
	case err != nil:
		log.Error("replay: stopped", "err", err, "prices", st.Prices)
	default:
		log.Info("replay: done", "prices", st.Prices, "symbols", len(st.Symbols), "skipped", st.Skipped, "rounded", st.Rounded)
	}
	<-ctx.Done()
}
