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

// splitCSV splits one CSV line into its fields and the byte offset where
// each starts. A field may be quoted, with
// "" for a quote inside; a quoted field cannot span lines (price files
// have no reason to).
func splitCSV(line string) (fields []string, starts []int, ferr *fieldError) {
	for i := 0; ; {
		starts = append(starts, i)
		if i < len(line) && line[i] == '"' {
			f, next, err := quoted(line, i)
			if err != nil {
				return nil, nil, err
			}
			fields = append(fields, f)
			i = next
		} else {
			end := strings.IndexByte(line[i:], ',')
			if end < 0 {
				end = len(line) - i
			}
			f := line[i : i+end]
			if j := strings.IndexByte(f, '"'); j >= 0 {
				return nil, nil, &fieldError{i + j + 1, errors.New(`bare " in an unquoted field`)}
			}
			fields = append(fields, f)
			i += end
		}
		if i == len(line) {
			return fields, starts, nil
		}
		i++ // the comma
	}
}

// quoted reads the quoted field starting at line[i], returning it and the
// index after its closing quote.
func quoted(line string, i int) (string, int, *fieldError) {
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
		if j+1 < len(line) && line[j+1] != ',' {
			return "", 0, &fieldError{j + 2, errors.New(`extraneous text after a quoted field`)}
		}
		return b.String(), j + 1, nil
	}
	return "", 0, &fieldError{i + 1, errors.New("quoted field not closed on its line")}
}
