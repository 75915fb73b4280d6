//go:build !linux

package engine

import (
	"errors"
	"syscall"
)

// errWouldBlock says the socket took less than it was given.
var errWouldBlock = errors.New("socket full")

func setSendBuffer(int, int) {}

// vectors is not available here: New fails for want of a poller first.
type vectors struct{}

func (*vectors) writev(syscall.RawConn, [][]byte) (int, error) {
	return 0, errors.ErrUnsupported
}
