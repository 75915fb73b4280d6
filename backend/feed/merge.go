package feed

import (
	"errors"
	"io"

	"github.com/stockstream/stockstream/shared/pricefile"
)

// merge reads several price files at once and yields their quotes in
// timestamp order (the earliest head first; ties in the order of the
// files), holding one quote per file.
type merge struct {
	files []*mergeFile
	err   error
}

type mergeFile struct {
	name   string
	rc     io.ReadCloser
	r      *pricefile.Reader
	head   quoteAt
	filled bool
}

// openMerge opens every source.
func openMerge(sources []Source, symbol string) (*merge, error) {
	m := &merge{}
	for _, s := range sources {
		rc, err := s.Open()
		if err != nil {
			m.close(nil)
			return nil, err
		}
		r, err := pricefile.Open(rc, s.Name, symbol)
		if err != nil {
			rc.Close()
			m.close(nil)
			return nil, err
		}
		f := &mergeFile{name: s.Name, rc: rc, r: r}
		m.files = append(m.files, f)
		if err := f.fill(); err != nil {
			m.close(nil)
			return nil, err
		}
	}
	return m, nil
}

// fill reads the file's next quote into head; filled is false at its end.
func (f *mergeFile) fill() error {
	q, err := f.r.Next()
	if errors.Is(err, io.EOF) {
		f.filled = false
		return nil
	}
	if err != nil {
		return err
	}
	f.head, f.filled = quoteAt{Quote: q, file: f.name, line: f.r.Line()}, true
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

// close closes every file and adds their skipped and rounded counts to st.
func (m *merge) close(st *Stats) {
	for _, f := range m.files {
		f.rc.Close()
		if st != nil {
			st.Skipped += f.r.Skipped
			st.Rounded += f.r.Rounded
		}
	}
}
