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
// latest prices. Without a frontend build it still serves a page that says
// how to build one, and the log says so too.
func appHandler(log *slog.Logger, b backend.Broker) http.Handler {
	if err := pwa.Built(); err != nil {
		log.Warn("dashboard not built: run make build", "err", err)
	}
	routes.Do(func() { ui.Routes(prerenderedPrices(log, b)) })
	return pwa.Handler()
}

// prerenderedPrices returns the broker's latest prices for the pages.
func prerenderedPrices(log *slog.Logger, b backend.Broker) ui.Prices {
	return func(*url.URL) []stock.Latest {
		ctx, cancel := context.WithTimeout(context.Background(), prerenderTimeout)
		defer cancel()
		latest, err := b.Snapshot(ctx)
		if err != nil {
			log.Debug("page rendered without prices", "err", err)
		}
		return latest
	}
}
