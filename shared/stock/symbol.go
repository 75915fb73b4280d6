package stock

import (
	"errors"
	"fmt"
	"strings"
)

// MaxSymbolLen is the longest accepted ticker symbol.
const MaxSymbolLen = 12

// ErrInvalidSymbol is wrapped by every error ParseSymbol returns.
var ErrInvalidSymbol = errors.New("invalid symbol")

// ParseSymbol validates a ticker symbol and returns it in upper case.
// A symbol holds 1 to MaxSymbolLen ASCII letters, digits, '.' or '-' and
// starts with a letter or digit ("AAPL", "BRK.B", "BF-B", "0700.HK").
// Every byte is checked before anything is upper-cased, and only ASCII
// letters are: "aſ", "ıbm" and the Kelvin sign are refused, never read as
// "AS", "IBM" or "K". Whitespace and control characters are refused too,
// so a symbol can never break SSE framing or a log line.
func ParseSymbol(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidSymbol)
	}
	if len(s) > MaxSymbolLen {
		return "", fmt.Errorf("%w %q: longer than %d characters", ErrInvalidSymbol, clip(s), MaxSymbolLen)
	}
	upper := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		upper = upper && !isLower(c)
		if !isSymbolByte(c) || i == 0 && !isLetter(c) && !isDigit(c) {
			return "", fmt.Errorf("%w %q: use ASCII letters, digits, '.' or '-', starting with a letter or digit", ErrInvalidSymbol, s)
		}
	}
	if upper {
		return s, nil
	}
	return asciiUpper(s), nil
}

// isSymbolByte reports whether c may appear in a symbol, in either case.
func isSymbolByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || isLower(c) || '0' <= c && c <= '9' || c == '.' || c == '-'
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

func isLetter(c byte) bool { return 'A' <= c && c <= 'Z' || isLower(c) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// asciiUpper upper-cases the ASCII letters of s and nothing else.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if isLower(c) {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// ParseSymbolList parses a comma-separated list such as "AAPL,msft", drops
// duplicates and keeps the order of first appearance. Spaces and tabs
// around an item are ignored. It refuses an empty list, an empty item
// ("AAPL,,MSFT", ",,"), any invalid symbol and more than max symbols.
func ParseSymbolList(s string, max int) ([]string, error) {
	if n := strings.Count(s, ",") + 1; n > max {
		return nil, fmt.Errorf("%w: %d symbols, at most %d allowed", ErrInvalidSymbol, n, max)
	}
	seen := make(map[string]bool)
	var out []string
	for i, item := range strings.Split(s, ",") {
		item = strings.Trim(item, " \t")
		if item == "" {
			return nil, fmt.Errorf("%w: item %d of the list is empty", ErrInvalidSymbol, i+1)
		}
		sym, err := ParseSymbol(item)
		if err != nil {
			return nil, err
		}
		if !seen[sym] {
			seen[sym] = true
			out = append(out, sym)
		}
	}
	return out, nil
}
