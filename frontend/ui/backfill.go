package ui

import (
	"encoding/json"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stockstream/stockstream/frontend/fetch"
	"github.com/stockstream/stockstream/frontend/market"
	"github.com/stockstream/stockstream/shared/stock"
)

// maxBackfill bounds the bar requests one snapshot may start.
const maxBackfill = 50

// backfill asks the server for the recent one-minute bars of the symbols
// whose sparkline is not full yet, at most once per symbol, so that no
// sparkline starts flat after a snapshot.
func (p *page) backfill(ctx app.Context) {
	if p.backfilled == nil {
		p.backfilled = make(map[string]bool)
	}
	asked := 0
	for _, sym := range p.board.ShortHistories() {
		if p.backfilled[sym] || asked == maxBackfill {
			continue
		}
		p.backfilled[sym], asked = true, asked+1
		url := "/api/stocks/" + sym + "/bars?interval=1m&limit=" + strconv.Itoa(market.HistoryLen)
		fetch.Get(url, func(r fetch.Response) {
			var bars []stock.Bar
			if !r.OK() || json.Unmarshal([]byte(r.Body), &bars) != nil || len(bars) == 0 {
				return
			}
			ctx.Dispatch(func(ctx app.Context) {
				p.board.Backfill(sym, market.Closes(bars))
				p.scheduleSave(ctx)
			})
		})
	}
}
