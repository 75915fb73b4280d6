package server

import (
	"context"
	"net/url"
	"time"

	"github.com/stockstream/stockstream/frontend/ui"
	"github.com/stockstream/stockstream/shared/stock"
)

// prerenderTimeout bounds reading the prices rendered into a page: a slow
// broker yields a page without prices rather than a slow page.
const prerenderTimeout = 300 * time.Millisecond

// Pages returns what the app's pages are rendered with on this server:
// the latest prices and a symbol's bars that callers without a token read
// (live, or from the delayed tier), each read within prerenderTimeout, or
// nothing where they may read nothing, since a page is served to anyone. Register it with ui.Routes
// before Run. go-app keeps the pages in one table per process, so a
// process registers the pages of one server, once.
func (s *Server) Pages() ui.Source {
	if !s.cfg.Readers.PagesShowPrices() {
		return ui.Source{}
	}
	return ui.Source{Latest: s.latest, Bars: s.bars}
}

// latest returns the latest price of every symbol, for a page.
func (s *Server) latest(*url.URL) []stock.Latest {
	if s.pages == nil {
		return nil // not running
	}
	ctx, cancel := context.WithTimeout(context.Background(), prerenderTimeout)
	defer cancel()
	latest, err := s.pages.Snapshot(ctx)
	if err != nil {
		s.log.Debug("page rendered without prices", "err", err)
	}
	return latest
}

// bars returns a symbol's bars, for its page.
func (s *Server) bars(_ *url.URL, symbol string) []stock.Bar {
	if s.pages == nil {
		return nil // not running
	}
	ctx, cancel := context.WithTimeout(context.Background(), prerenderTimeout)
	defer cancel()
	bars, err := s.pages.Bars(ctx, symbol)
	if err != nil {
		s.log.Debug("page rendered without bars", "symbol", symbol, "err", err)
	}
	return bars
}
