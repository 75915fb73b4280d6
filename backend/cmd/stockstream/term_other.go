//go:build !unix

package main

import "os"

// windowSize cannot ask the terminal here.
func windowSize(*os.File) (cols, rows int, ok bool) { return 0, 0, false }
