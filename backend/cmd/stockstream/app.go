package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/pwa"
	"github.com/stockstream/stockstream/frontend/ui"
	"github.com/stockstream/stockstream/shared/stock"
)

// prerenderTimeout bounds reading the prices rendered into a page: a slow
// broker yields a page without prices rather than a slow page.
const prerenderTimeout = 300 * time.Millisecond

// routes guards the registration of the app's pages: go-app keeps them in
// one table per process.
var routes sync.Once

// appHandler returns the PWA handler served for every non-API path, built
// from the assets embedded in the binary, whose pages carry the broker's
// latest prices and bars when withPrices is set (pages are public: they
// carry none where callers without a token may not read them live).
// Without a frontend build it still serves a page that says how to build
// one, and the log says so too.
func appHandler(log *slog.Logger, b backend.Reader, withPrices bool) http.Handler {
	if err := pwa.Built(); err != nil {
		log.Warn("dashboard not built: run make build", "err", err)
	}
	src := ui.Source{}
	if withPrices {
		src = prerenderSource(log, b)
	}
	routes.Do(func() { ui.Routes(src) })
	return pwa.Handler()
}

// prerenderSource returns what the pages are rendered with: the broker's
// latest prices and a symbol's bars, each read within prerenderTimeout.
func prerenderSource(log *slog.Logger, b backend.Reader) ui.Source {
	return ui.Source{
		Latest: func(*url.URL) []stock.Latest {
			ctx, cancel := context.WithTimeout(context.Background(), prerenderTimeout)
			defer cancel()
			latest, err := b.Snapshot(ctx)
			if err != nil {
				log.Debug("page rendered without prices", "err", err)
			}
			return latest
		},
		Bars: func(_ *url.URL, symbol string) []stock.Bar {
			ctx, cancel := context.WithTimeout(context.Background(), prerenderTimeout)
			defer cancel()
			bars, err := b.Bars(ctx, symbol)
			if err != nil {
				log.Debug("page rendered without bars", "symbol", symbol, "err", err)
			}
			return bars
		},
	}
}
