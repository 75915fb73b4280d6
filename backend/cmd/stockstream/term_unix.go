//go:build unix

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// windowSize asks the terminal f for its size.
func windowSize(f *os.File) (cols, rows int, ok bool) {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0, 0, false
	}
	return int(ws.Col), int(ws.Row), true
}
