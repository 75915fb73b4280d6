package feed

import (
	"errors"
	"io"

	"github.com/stockstream/stockstream/shared/pricefile"
)

// merge reads several loaded price files at once and yields their quotes
// in timestamp order (the earliest head first; ties in the order of the
// files), holding one quote per file.
type merge struct {
	files []*mergeFile
	err   error
}

type mergeFile struct {
	name   string
	quotes *pricefile.Quotes
	head   quoteAt
	filled bool
}

// openMerge starts reading every file.
func openMerge(files []*pricefile.File) (*merge, error) {
	m := &merge{}
	for _, pf := range files {
		f := &mergeFile{name: pf.Summary.Name, quotes: pf.Quotes()}
		m.files = append(m.files, f)
		if err := f.fill(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// fill reads the file's next quote into head; filled is false at its end.
func (f *mergeFile) fill() error {
	q, err := f.quotes.Next()
	if errors.Is(err, io.EOF) {
		f.filled = false
		return nil
	}
	if err != nil {
		return err
	}
	f.head, f.filled = quoteAt{Quote: q.Quote, file: f.name, line: q.Line}, true
	return nil
}

// earliest returns the file whose head comes first, or nil at the end.
func (m *merge) earliest() *mergeFile {
	var best *mergeFile
	for _, f := range m.files {
		if f.filled && (best == nil || f.head.Timestamp.Before(best.head.Timestamp)) {
			best = f
		}
	}
	return best
}

// peek returns the next quote without taking it.
func (m *merge) peek() (quoteAt, bool) {
	if m.err != nil {
		return quoteAt{}, false
	}
	f := m.earliest()
	if f == nil {
		return quoteAt{}, false
	}
	return f.head, true
}

// next takes the next quote and reads the one after it from its file.
func (m *merge) next() quoteAt {
	f := m.earliest()
	q := f.head
	if err := f.fill(); err != nil {
		m.err = err
	}
	return q
}
