package http

import (
	"net/http"

	"github.com/julienschmidt/httprouter"

	"github.com/stockstream/stockstream/shared/stock"
)

// handleBars serves GET /api/stocks/:symbol/bars?interval=1m&limit=60: the
// symbol's last limit bars of interval, aggregated from its one-minute bars
// of the 24 hours up to its newest, oldest first.
func (s *Server) handleBars(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	sym, grant, ok := s.readableSymbol(w, r, ps)
	if !ok {
		return
	}
	q, err := parseBarsQuery(r.URL.RawQuery)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	minutes, err := s.readerFor(grant).Bars(r.Context(), sym)
	switch {
	case err != nil:
		s.writeErr(w, r, err)
	case len(minutes) == 0:
		writeError(w, http.StatusNotFound, "no bars for symbol "+sym)
	default:
		out := stock.AggregateBars(minutes, q.interval)
		writeJSON(w, http.StatusOK, out[max(0, len(out)-q.limit):])
	}
}
