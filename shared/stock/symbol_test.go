package stock_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stockstream/stockstream/shared/stock"
)

func TestParseSymbol(t *testing.T) {
	valid := map[string]string{
		"AAPL": "AAPL", "aapl": "AAPL", "BRK.B": "BRK.B", "brk-b": "BRK-B", "BF-B": "BF-B", "X": "X",
		"ABCDEFGHIJKL": "ABCDEFGHIJKL", "A1": "A1", "A..": "A..", "a-1.b": "A-1.B", "1ABC": "1ABC", "0700.hk": "0700.HK",
	}
	for in, want := range valid {
		if got, err := stock.ParseSymbol(in); err != nil || got != want {
			t.Errorf("ParseSymbol(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	invalid := []string{
		"", ".A", "-A", ".", "..", "AA PL", " AAPL", "AAPL ", "AAPL\n", "A\r\nevent: x", "A\x00", "ABCDEFGHIJKLM",
		"A/B", "A:B", "A,B", "A\"B", "A<script>", "A_B", "A+B", "A%20", strings.Repeat("A", 1000),
		// Letters that upper-case to ASCII under Unicode rules, and other
		// non-ASCII look-alikes: refused before any case folding.
		"a\u017f", "\u0131bm", "\u212a", "\u212aO", "\u00c4", "\uff21APL", "A\u00a0", "\u00a0A", "A\u200b", "A\xff", "\xc0\x80",
	}
	for _, in := range invalid {
		got, err := stock.ParseSymbol(in)
		if err == nil {
			t.Errorf("ParseSymbol(%q) = %q, want an error", in, got)
		}
		if !errors.Is(err, stock.ErrInvalidSymbol) {
			t.Errorf("ParseSymbol(%q) error %v does not wrap ErrInvalidSymbol", in, err)
		}
	}
}

func TestParseSymbolList(t *testing.T) {
	for in, want := range map[string]string{
		"aapl, MSFT,AAPL": "AAPL,MSFT",
		"A":               "A",
		"\tA ,B\t":        "A,B",
	} {
		got, err := stock.ParseSymbolList(in, 3)
		if err != nil || strings.Join(got, ",") != want {
			t.Errorf("ParseSymbolList(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", ",", ",,", " , ", "AAPL,,MSFT", "AAPL,", ",AAPL", "AAPL,%", "A,B,C,D", "a\u017f", "AAPL,\u0131bm",
		"\u00a0AAPL", "AAPL,\u3000", strings.Repeat(",", 1<<16),
	} {
		if got, err := stock.ParseSymbolList(in, 3); err == nil || !errors.Is(err, stock.ErrInvalidSymbol) {
			t.Errorf("ParseSymbolList(%q) = %v, %v; want an ErrInvalidSymbol", in, got, err)
		}
	}
}

func FuzzParseSymbol(f *testing.F) {
	for _, s := range []string{"AAPL", "brk.b", "A\nB", "", "\u00c4", "a\u017f", "\u0131bm", "\u212a", "A-1.B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sym, err := stock.ParseSymbol(s)
		if err != nil {
			return
		}
		if len(sym) != len(s) || len(sym) > stock.MaxSymbolLen || !strings.EqualFold(sym, s) {
			t.Fatalf("ParseSymbol(%q) accepted %q", s, sym)
		}
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				t.Fatalf("ParseSymbol(%q) accepted non-ASCII input as %q", s, sym)
			}
			if c := sym[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
				t.Fatalf("ParseSymbol(%q) = %q holds byte %q", s, sym, c)
			}
		}
		if again, err := stock.ParseSymbol(sym); err != nil || again != sym {
			t.Fatalf("ParseSymbol(%q) = %q, but that parses as %q, %v", s, sym, again, err)
		}
	})
}
