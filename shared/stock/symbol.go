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
// A symbol starts with a letter and holds 1 to MaxSymbolLen letters, digits,
// '.' or '-' ("AAPL", "BRK.B", "BF-B"); anything else, whitespace and control
// characters included, is refused, so a symbol can never break SSE framing or
// a log line.
func ParseSymbol(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidSymbol)
	}
	if len(s) > MaxSymbolLen {
		return "", fmt.Errorf("%w %q: longer than %d characters", ErrInvalidSymbol, clip(s), MaxSymbolLen)
	}
	up := strings.ToUpper(s)
	for i := 0; i < len(up); i++ {
		c := up[i]
		ok := c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '.' || c == '-')
		if !ok {
			return "", fmt.Errorf("%w %q: use letters, digits, '.' or '-', starting with a letter", ErrInvalidSymbol, s)
		}
	}
	return up, nil
}

// ParseSymbolList parses a comma-separated list such as "AAPL,msft", drops
// duplicates and keeps the order of first appearance. It refuses an empty
// list, an empty item and more than max symbols.
func ParseSymbolList(s string, max int) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w: empty list", ErrInvalidSymbol)
	}
	if n := strings.Count(s, ",") + 1; n > max {
		return nil, fmt.Errorf("%w: %d symbols, at most %d allowed", ErrInvalidSymbol, n, max)
	}
	seen := make(map[string]bool)
	var out []string
	for _, item := range strings.Split(s, ",") {
		sym, err := ParseSymbol(strings.TrimSpace(item))
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
