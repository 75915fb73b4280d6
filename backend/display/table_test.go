package display

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/stock"
)

// table returns a table of n symbols, not drawn.
func table(n int) *Table {
	t := &Table{url: "http://h", status: "live"}
	var snap []stock.Latest
	for i := range n {
		snap = append(snap, stock.Latest{StockPriceEvent: stock.StockPriceEvent{
			Symbol: fmt.Sprintf("S%02d", i), Price: stock.MustParsePrice("101.5"), Timestamp: time.Date(2024, 1, 2, 14, 30, 0, 0, time.UTC),
		}, Open: stock.MustParsePrice("100")})
	}
	t.board.apply(client.Message{Kind: client.Snapshot, Snapshot: snap})
	return t
}

// TestTableFitsTheTerminal: a narrow terminal drops the last columns
// first, never the symbol and the price; a short one shows how many rows
// it left out.
func TestTableFitsTheTerminal(t *testing.T) {
	wide := table(2).lines(100, 20)
	if !strings.Contains(wide[1], "SYMBOL  PRICE  CHANGE%  CHANGE") || !strings.Contains(wide[1], "TIME") {
		t.Fatalf("wide: %q", wide)
	}
	narrow := table(2).lines(24, 20)
	if !strings.HasPrefix(narrow[1], "SYMBOL  PRICE  CHANGE%") || strings.Contains(narrow[1], "TIME") || strings.Contains(narrow[1], "CHANGE ") {
		t.Fatalf("narrow: %q", narrow)
	}
	for _, l := range narrow {
		if len([]rune(l)) > 24 {
			t.Fatalf("line wider than 24 columns: %q", l)
		}
	}
	short := table(30).lines(80, 10)
	if len(short) != 10 || short[9] != "… 23 more symbols: make the terminal taller, or use --symbols" {
		t.Fatalf("short: %d lines, last %q", len(short), short[len(short)-1])
	}
}

// TestTableColourOff: without colour, no escape codes in the rows.
func TestTableColourOff(t *testing.T) {
	tb := table(1)
	for _, l := range tb.lines(80, 20) {
		if strings.Contains(l, "\x1b") {
			t.Fatalf("escape code without colour: %q", l)
		}
	}
	tb.colour = true
	if l := tb.lines(80, 20)[2]; !strings.HasPrefix(l, ansiGreen) {
		t.Fatalf("a row up is not green: %q", l)
	}
}
