package ui

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/fetch"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

// The dashboard asks the server to conflate the stream when it shows more
// than manySymbols symbols: at most one event per symbol per
// conflateWindow, always the latest, which is all a person can read.
const (
	manySymbols    = 20
	conflateWindow = 250 * time.Millisecond
)

// maxBackfill bounds the bar requests one snapshot may start.
const maxBackfill = 50

// conflation returns the conflation window the dashboard streams with.
func (d *dashboard) conflation() time.Duration {
	if d.board.Len() > manySymbols {
		return conflateWindow
	}
	return 0
}

// backfill asks the server for the recent one-minute bars of the symbols
// whose sparkline is not full yet, at most once per symbol, so that no
// sparkline starts flat after a snapshot.
func (d *dashboard) backfill(ctx app.Context) {
	if d.backfilled == nil {
		d.backfilled = make(map[string]bool)
	}
	asked := 0
	for _, sym := range d.board.ShortHistories() {
		if d.backfilled[sym] || asked == maxBackfill {
			continue
		}
		d.backfilled[sym], asked = true, asked+1
		url := "/api/stocks/" + sym + "/bars?interval=1m&limit=" + strconv.Itoa(market.HistoryLen)
		fetch.Get(url, func(r fetch.Response) {
			var bars []stock.Bar
			if !r.OK() || json.Unmarshal([]byte(r.Body), &bars) != nil || len(bars) == 0 {
				return
			}
			ctx.Dispatch(func(ctx app.Context) {
				d.board.Backfill(sym, market.Closes(bars))
				d.scheduleSave(ctx)
			})
		})
	}
}
