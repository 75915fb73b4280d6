package main

import (
	"context"
	"fmt"
	"time"

	"github.com/stockstream/stockstream/backend/config"
	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/backend/publisher"
	"github.com/stockstream/stockstream/backend/report"
	"github.com/stockstream/stockstream/backend/terminal"
)

// publish loads price files in full, then posts them to a server, or with
// --dry-run says what it would post.
func (c *cli) publish(ctx context.Context, args []string) int {
	p, err := config.ParsePublish(args, c.getenv, c.stderr)
	if err != nil {
		return c.usageError("publish", err)
	}
	meter := report.New(c.stderr, terminal.Is(c.stderr), func(s string) { fmt.Fprintf(c.stderr, "stockstream publish: %s\n", s) })
	files, err := feed.Load(ctx, feed.Files(p.Files, c.stdin), p.Read, meter)
	if err != nil {
		fmt.Fprintf(c.stderr, "stockstream publish: %v\nstockstream publish: nothing was published\n", err)
		return exitError
	}
	defer closeAll(files)
	if p.DryRun {
		report.DryRun(c.stdout, files)
		return exitOK
	}
	total := 0
	for _, f := range files {
		total += f.Summary.Quotes
	}
	meter.Publishing(total)
	pub := publisher.NewClient(p.To, p.Token, p.RetryFor, meter.Note)
	r := &feed.Replay{Files: files, Speed: p.Speed, Progress: func(st feed.Stats) { meter.Published(st.Prices, st.Last) }}
	st, err := r.Run(ctx, pub)
	meter.Finish()
	if err != nil {
		fmt.Fprintf(c.stderr, "stockstream publish: %v\n", err)
		if st.Prices > 0 {
			fmt.Fprintf(c.stderr, "stockstream publish: %d prices were published before that\n", st.Prices)
		}
		return exitError
	}
	report.Published(c.stdout, st, time.Since(st.Started))
	return exitOK
}
