package stock_test

import (
	"strings"
	"testing"

	"github.com/stockstream/stockstream/shared/stock"
)

func TestParseSymbol(t *testing.T) {
	valid := map[string]string{"AAPL": "AAPL", "aapl": "AAPL", "BRK.B": "BRK.B", "BF-B": "BF-B", "X": "X", "ABCDEFGHIJKL": "ABCDEFGHIJKL", "A1": "A1"}
	for in, want := range valid {
		if got, err := stock.ParseSymbol(in); err != nil || got != want {
			t.Errorf("ParseSymbol(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	invalid := []string{"", "1ABC", ".A", "-A", "AA PL", "AAPL\n", "A\r\nevent: x", "A\x00", "ABCDEFGHIJKLM", "A/B", "A:B", "Ä", "A<script>", "A,B", "A\"B", strings.Repeat("A", 1000)}
	for _, in := range invalid {
		if got, err := stock.ParseSymbol(in); err == nil {
			t.Errorf("ParseSymbol(%q) = %q, want an error", in, got)
		}
	}
}

func TestParseSymbolList(t *testing.T) {
	got, err := stock.ParseSymbolList("aapl, MSFT,AAPL", 10)
	if err != nil || strings.Join(got, ",") != "AAPL,MSFT" {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, in := range []string{"", "AAPL,,MSFT", "AAPL,%", "A,B,C,D"} {
		if got, err := stock.ParseSymbolList(in, 3); err == nil {
			t.Errorf("ParseSymbolList(%q) = %v, want an error", in, got)
		}
	}
}

func FuzzParseSymbol(f *testing.F) {
	for _, s := range []string{"AAPL", "brk.b", "A\nB", "", "Ä"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sym, err := stock.ParseSymbol(s)
		if err != nil {
			return
		}
		if sym == "" || len(sym) > stock.MaxSymbolLen || strings.ContainsAny(sym, "\r\n\x00 :,\"\\") || sym != strings.ToUpper(s) {
			t.Fatalf("ParseSymbol(%q) accepted %q", s, sym)
		}
	})
}
