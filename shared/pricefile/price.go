package pricefile

import (
	"errors"
	"fmt"
	"strings"
)

// noPrice returns why a price field holds no price ("null", "empty"), or
// "" when it holds one: such rows are skipped and counted.
func noPrice(s string) string {
	switch strings.ToLower(s) {
	case "":
		return "empty"
	case "null", "nan", "n/a", "na", "none", "-":
		return strings.ToLower(s)
	}
	return ""
}

// plainPrice returns a price as sources write it ("$1,234.56",
// "1.234,56", "185,64") as a plain decimal ("1234.56"). The decimal mark
// is '.' in a comma-separated file; in a file separated otherwise it is
// ',' or '.', whichever a price shows first (with both, the last one):
// then it stays the file's. The other mark groups thousands, in groups of
// three digits. *decimal holds the file's mark, 0 until known.
func plainPrice(s string, decimal *byte) (string, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "$"))
	comma, dot := strings.LastIndexByte(s, ','), strings.LastIndexByte(s, '.')
	if *decimal == 0 {
		switch {
		case comma >= 0 && dot >= 0 && comma > dot, comma >= 0 && dot < 0:
			*decimal = ','
		case dot >= 0:
			*decimal = '.'
		}
	}
	mark, group := byte('.'), byte(',')
	if *decimal == ',' {
		mark, group = ',', '.'
	}
	if strings.IndexByte(s, group) < 0 {
		if mark == ',' {
			return strings.Replace(s, ",", ".", 1), nil
		}
		return s, nil
	}
	intPart, frac, hasFrac := strings.Cut(s, string(mark))
	groups := strings.Split(intPart, string(group))
	for i, g := range groups {
		if len(g) > 3 || len(g) == 0 || i > 0 && len(g) != 3 || !digitsOnly(g) {
			return "", fmt.Errorf("%q: %q groups thousands and %q marks decimals in this file, as in 1%c234%c56", s, string(group), string(mark), group, mark)
		}
	}
	if strings.IndexByte(frac, group) >= 0 {
		return "", errors.New("a thousands separator after the decimal mark")
	}
	plain := strings.Join(groups, "")
	if hasFrac {
		plain += "." + frac
	}
	return plain, nil
}
