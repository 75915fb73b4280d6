package stock_test

import (
	"testing"

	"github.com/stockstream/stockstream/shared/stock"
)

func TestParseID(t *testing.T) {
	for id, want := range map[string]uint64{"1": 1, "42": 42, "18446744073709551615": 1<<64 - 1, "007": 7} {
		if got, ok := stock.ParseID(id); !ok || got != want {
			t.Errorf("ParseID(%q) = %d, %v; want %d", id, got, ok, want)
		}
	}
	for _, id := range []string{"", "-1", "+1", " 1", "1 ", "1.5", "abc", "18446744073709551616", "000000000000000000001"} {
		if got, ok := stock.ParseID(id); ok {
			t.Errorf("ParseID(%q) = %d, ok; want refused", id, got)
		}
	}
	if stock.FormatID(1795506506936066) != "1795506506936066" {
		t.Error("FormatID does not round-trip")
	}
}

func TestNewerIDIsNumeric(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"10", "9", true},
		{"9", "10", false},
		{"10", "10", false},
		{"1", "", true},
		{"1", "garbage", true},
		{"", "1", false},
		{"garbage", "1", false},
	}
	for _, c := range cases {
		if got := stock.NewerID(c.a, c.b); got != c.want {
			t.Errorf("NewerID(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
