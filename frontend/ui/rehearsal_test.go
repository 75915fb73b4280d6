package ui

import (
	"strings"
	"testing"
	"time"
)

// TestRehearsalRendersBothPagesFromItsStream: the rehearsal walks the
// paths the page's start takes, the stream client's snapshot and update
// taken into the board and both pages rendered, so that what the browser
// compiles for it is what the page calls.
func TestRehearsalRendersBothPagesFromItsStream(t *testing.T) {
	dashboard, symbolPage := rehearse(time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC))
	for _, sym := range []string{"AAPL", "MSFT", "NVDA"} {
		if !strings.Contains(dashboard, `data-symbol="`+sym+`"`) {
			t.Errorf("the dashboard has no row of %s:\n%.2000s", sym, dashboard)
		}
	}
	if !strings.Contains(dashboard, "100.01") {
		t.Errorf("the dashboard does not show the stream's update of AAPL to 100.01:\n%.2000s", dashboard)
	}
	if !strings.Contains(symbolPage, "data-chart") || !strings.Contains(symbolPage, "AAPL") {
		t.Errorf("the symbol's page has no chart of AAPL:\n%.2000s", symbolPage)
	}
}
