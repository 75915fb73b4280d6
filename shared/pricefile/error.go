package pricefile

import "fmt"

// Error is a problem at one place of a price file.
type Error struct {
	File   string
	Line   int // from 1
	Column int // from 1, in bytes; 0 when the whole line is at fault
	Err    error
}

func (e *Error) Error() string {
	if e.Column == 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }
