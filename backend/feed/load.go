package feed

import (
	"context"
	"io"
	"io/fs"

	"github.com/stockstream/stockstream/shared/pricefile"
)

// LoadProgress follows the loading of price files.
type LoadProgress interface {
	// Start is called before a file is read, with its size in bytes (0
	// when unknown, as for standard input).
	Start(name string, size int64)
	// Read is called as it is read, with the bytes and rows read so far.
	Read(bytes int64, rows int)
	// Done is called after, with the file or the error that refused it.
	Done(f *pricefile.File, err error)
}

// Load reads every source in full with pricefile.Load, so that a file
// with one bad row is refused whole, with its file, line and column,
// before anything is published. progress, if not nil, follows it. On an
// error the files loaded so far are closed.
func Load(ctx context.Context, sources []Source, opt pricefile.Options, progress LoadProgress) ([]*pricefile.File, error) {
	var files []*pricefile.File
	for _, s := range sources {
		f, err := load(ctx, s, opt, progress)
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// load loads one source.
func load(ctx context.Context, s Source, opt pricefile.Options, progress LoadProgress) (*pricefile.File, error) {
	rc, err := s.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if progress == nil {
		return pricefile.Load(ctx, rc, s.Name, opt, nil)
	}
	progress.Start(s.Name, size(rc))
	cr := &countingReader{r: rc}
	f, err := pricefile.Load(ctx, cr, s.Name, opt, func(rows int) { progress.Read(cr.n, rows) })
	progress.Done(f, err)
	return f, err
}

// size returns the size of a regular file, 0 for anything else.
func size(r io.Reader) int64 {
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return 0
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
