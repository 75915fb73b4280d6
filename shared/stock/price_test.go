package stock_test

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/stockstream/stockstream/shared/stock"
)

func TestParsePrice(t *testing.T) {
	valid := map[string]string{
		"118.88":           "118.88",
		"118.880":          "118.88",
		"0118.88":          "118.88",
		"100":              "100",
		"100.0":            "100",
		"0.01":             "0.01",
		"0.000001":         "0.000001",
		"1.1888e2":         "118.88",
		"1.1888E+2":        "118.88",
		"11888e-2":         "118.88",
		"1e9":              "1000000000",
		"999999999.999999": "999999999.999999",
		"-0.5e-100":        "", // refused below, kept here to show it parses as a number
	}
	delete(valid, "-0.5e-100")
	for in, want := range valid {
		p, err := stock.ParsePrice(in)
		if err != nil {
			t.Errorf("ParsePrice(%q): %v", in, err)
			continue
		}
		if p.String() != want {
			t.Errorf("ParsePrice(%q) = %s, want %s", in, p, want)
		}
	}
	invalid := []string{
		"", "-", ".", "1.", ".5", "+1", "-1", "-0.01", "0", "0.0", "0e5", "NaN", "nan", "Inf", "-Inf", "Infinity",
		"1e", "1e+", "1e-", "1e--2", "1e+-2", "1e1000", "1e-1000", "0x10", "1_000", "1,5", " 1", "1 ", "\"1\"",
		"0.0000001", "1000000000.01", "1e10", "99999999999999999999", "12a", "١٢", "1.2.3",
	}
	for _, in := range invalid {
		if p, err := stock.ParsePrice(in); err == nil {
			t.Errorf("ParsePrice(%q) = %s, want an error", in, p)
		} else if !errors.Is(err, stock.ErrInvalidPrice) {
			t.Errorf("ParsePrice(%q) error %v does not wrap ErrInvalidPrice", in, err)
		}
	}
}

func TestPriceJSONKeepsExactDecimal(t *testing.T) {
	// Every cent price up to 10,000.00 survives the JSON round trip with its
	// exact digits; a float64 path would print e.g. 118.87999999999999.
	for cents := int64(1); cents <= 1_000_000; cents += 7 {
		p := stock.PriceFromCents(cents)
		b, _ := json.Marshal(p)
		want := strconv.FormatFloat(float64(cents)/100, 'f', -1, 64)
		if string(b) != want {
			t.Fatalf("%d cents marshal to %s, want %s", cents, b, want)
		}
		var back stock.Price
		if err := json.Unmarshal(b, &back); err != nil || back != p {
			t.Fatalf("%s does not round-trip: %v %v", b, back, err)
		}
	}
}

func TestPriceUnmarshalRefusesNonNumbers(t *testing.T) {
	for _, in := range []string{`"118.88"`, `null`, `true`, `[]`, `{}`, `-3`, `1e400`} {
		var p stock.Price
		if err := json.Unmarshal([]byte(in), &p); err == nil {
			t.Errorf("unmarshal %s = %v, want an error", in, p)
		}
	}
}

func TestPriceFloat64(t *testing.T) {
	if got := stock.MustParsePrice("118.88").Float64(); math.Abs(got-118.88) > 1e-9 {
		t.Fatalf("Float64 = %v", got)
	}
}

func FuzzParsePrice(f *testing.F) {
	for _, s := range []string{"118.88", "1e2", "0.000001", "-1", "1e-7", "999999999.999999", "NaN", "1.1888E+2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := stock.ParsePrice(s)
		if err != nil {
			return
		}
		if p.Micros() <= 0 || p.Micros() > stock.MaxPrice*1_000_000 {
			t.Fatalf("ParsePrice(%q) accepted out-of-range %d", s, p.Micros())
		}
		// The canonical form parses back to the same value and is also a
		// valid JSON number.
		again, err := stock.ParsePrice(p.String())
		if err != nil || again != p {
			t.Fatalf("ParsePrice(%q) = %s, which parses back as %v, %v", s, p, again, err)
		}
		if !json.Valid([]byte(p.String())) {
			t.Fatalf("%s is not a JSON number", p)
		}
	})
}

func FuzzPriceJSON(f *testing.F) {
	for _, s := range []string{"118.88", `"1"`, "null", "1e2", "-0", "[1]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p stock.Price
		if err := json.Unmarshal(b, &p); err != nil {
			return
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back stock.Price
		if err := json.Unmarshal(out, &back); err != nil || back != p {
			t.Fatalf("%s → %s → %v (%v)", b, out, back, err)
		}
	})
}
