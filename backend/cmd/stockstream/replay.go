package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/backend/report"
	"github.com/stockstream/stockstream/backend/terminal"
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
// they are published, as a live feed. A replay that ends (without
// --replay-loop) keeps its lease until the server stops, so that no other
// instance replays the files again.
func runReplay(ctx context.Context, rc replayConfig, pub feed.Publisher, log *slog.Logger) {
	r := &feed.Replay{Files: rc.loaded, Speed: rc.speed, Loop: rc.loop, Now: true, Log: log}
	st, err := r.Run(ctx, pub)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return
	case err != nil:
		log.Error("replay: stopped", "err", err, "prices", st.Prices)
	default:
		log.Info("replay: done", "prices", st.Prices, "symbols", len(st.Symbols), "skipped", st.Skipped.Total(), "rounded", st.Rounded)
	}
	<-ctx.Done()
}
