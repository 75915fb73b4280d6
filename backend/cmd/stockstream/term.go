package main

import (
	"io"
	"os"
)

// isTerminal reports whether w is a terminal: then watch draws a table in
// colour and publish a progress bar.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// termSize returns the columns and rows of the terminal w, or 80×24 when
// it cannot tell.
func termSize(w io.Writer) (cols, rows int) {
	if f, ok := w.(*os.File); ok {
		if c, r, ok := windowSize(f); ok && c > 0 && r > 0 {
			return c, r
		}
	}
	return 80, 24
}
