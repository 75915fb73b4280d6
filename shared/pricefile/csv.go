package pricefile

import (
	"errors"
	"strings"
)

// fieldError is a CSV syntax error at a column of a line.
type fieldError struct {
	column int
	err    error
}

// separators are the field separators a CSV file may use, in the order a
// tie between them is broken.
const separators = "\t;,"

// detectSeparator returns the separator of a CSV header: whichever of tab,
// ';' and ',' occurs most often outside quotes (',' when none does).
func detectSeparator(header string) byte {
	var counts [256]int
	quoted := false
	for i := 0; i < len(header); i++ {
		switch c := header[i]; {
		case c == '"':
			quoted = !quoted
		case !quoted:
			counts[c]++
		}
	}
	best := byte(',')
	for i := 0; i < len(separators); i++ {
		if c := separators[i]; counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// splitCSV splits one CSV line into its fields and the byte offset where
// each starts, at sep, appending them to fields and starts. A field may be
// quoted (spaces before the quote are allowed), with "" for a quote
// inside; a quoted field cannot span lines (price files have no reason
// to).
func splitCSV(line string, sep byte, fields []string, starts []int) ([]string, []int, *fieldError) {
	for i := 0; ; {
		starts = append(starts, i)
		j := i
		for j < len(line) && line[j] == ' ' {
			j++
		}
		if j < len(line) && line[j] == '"' {
			f, next, err := quoted(line, j, sep)
			if err != nil {
				return nil, nil, err
			}
			fields = append(fields, f)
			i = next
		} else {
			end := strings.IndexByte(line[i:], sep)
			if end < 0 {
				end = len(line) - i
			}
			f := line[i : i+end]
			if k := strings.IndexByte(f, '"'); k >= 0 {
				return nil, nil, &fieldError{i + k + 1, errors.New(`bare " in an unquoted field: quote the whole field`)}
			}
			fields = append(fields, f)
			i += end
		}
		if i == len(line) {
			return fields, starts, nil
		}
		i++ // the separator
	}
}

// quoted reads the quoted field starting at line[i], returning it and the
// index after its closing quote (and any spaces after it).
func quoted(line string, i int, sep byte) (string, int, *fieldError) {
	var b strings.Builder
	for j := i + 1; j < len(line); j++ {
		if line[j] != '"' {
			b.WriteByte(line[j])
			continue
		}
		if j+1 < len(line) && line[j+1] == '"' {
			b.WriteByte('"')
			j++
			continue
		}
		end := j + 1
		for end < len(line) && line[end] == ' ' {
			end++
		}
		if end < len(line) && line[end] != sep {
			return "", 0, &fieldError{end + 1, errors.New("text after a quoted field: want the separator")}
		}
		return b.String(), end, nil
	}
	return "", 0, &fieldError{i + 1, errors.New("quoted field not closed on its line")}
}

// separatorName names a separator for people.
func separatorName(sep byte) string {
	switch sep {
	case '\t':
		return "tab-separated"
	case ';':
		return "semicolon-separated"
	}
	return "comma-separated"
}
