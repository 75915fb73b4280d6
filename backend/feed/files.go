package feed

import (
	"io"
	"os"
)

// Files returns the price files named, each opened when it is loaded.
// With stdin set, "-" is standard input, named <stdin> when it is the
// only file.
func Files(names []string, stdin io.Reader) []Source {
	out := make([]Source, len(names))
	for i, name := range names {
		out[i] = Source{Name: name, Open: func() (io.ReadCloser, error) {
			if name == "-" && stdin != nil {
				return io.NopCloser(stdin), nil
			}
			return os.Open(name)
		}}
	}
	if len(names) == 1 && names[0] == "-" && stdin != nil {
		out[0].Name = "<stdin>"
	}
	return out
}
