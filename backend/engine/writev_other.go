//go:build !linux

package engine

import "errors"

// errWouldBlock says the socket took less than it was given.
var errWouldBlock = errors.New("socket full")

func setSendBuffer(int, int) {}

func dupSocket(int) (int, error) { return -1, errors.ErrUnsupported }

func setLingerZero(int) {}

func closeSocket(int) {}

// vectors is not available here: New fails for want of a poller first.
type vectors struct{}

func (*vectors) writev(int, [][]byte) (int, error) {
	return 0, errors.ErrUnsupported
}
