package main

import (
	"context"
	"fmt"
	"time"

	"github.com/stockstream/stockstream/backend/config"
	"github.com/stockstream/stockstream/backend/display"
	"github.com/stockstream/stockstream/backend/redact"
	"github.com/stockstream/stockstream/backend/terminal"
	"github.com/stockstream/stockstream/shared/client"
)

// watch shows a server's prices until ctx ends or the server refuses.
func (c *cli) watch(ctx context.Context, args []string) int {
	w, err := config.ParseWatch(args, c.getenv, c.stderr)
	if err != nil {
		return c.usageError("watch", err)
	}
	out := c.newDisplay(w)
	defer out.Close()
	hide := redact.AccessToken(w.URL)
	w.Options.OnReconnect = func(r client.Reconnect) {
		out.Note(hide(fmt.Sprintf("connection lost (%v); reconnecting in %s, attempt %d, from id %s", r.Err, r.Wait.Round(time.Millisecond), r.Attempt, orNone(r.LastEventID))))
	}
	for m, err := range client.Subscribe(ctx, w.URL, w.Options) {
		if ctx.Err() != nil {
			return exitOK
		}
		if err != nil {
			out.Close()
			fmt.Fprintln(c.stderr, hide(fmt.Sprintf("stockstream watch: %s: %v", redact.URL(w.URL), err)))
			return exitError
		}
		if m.Missed {
			out.Note("resumed with a snapshot: the server no longer held the prices after the last id seen")
		}
		if err := out.Show(m); err != nil {
			out.Close()
			fmt.Fprintf(c.stderr, "stockstream watch: writing: %v\n", err)
			return exitError
		}
	}
	return exitOK
}

func orNone(id string) string {
	if id == "" {
		return "(none)"
	}
	return id
}

// newDisplay picks NDJSON, the live table (on a terminal) or plain lines.
func (c *cli) newDisplay(w *config.Watch) display.Display {
	switch {
	case w.JSON:
		return display.NewJSON(c.stdout, c.stderr)
	case terminal.Is(c.stdout):
		return display.NewTable(c.stdout, c.stderr, w.URL, c.getenv("NO_COLOR") == "")
	}
	return display.NewLines(c.stdout, c.stderr)
}
