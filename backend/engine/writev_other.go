//go:build !linux

package engine

import (
	"errors"
	"syscall"
)

// vectors is not available here: New fails for want of a poller first.
type vectors struct{}

func (*vectors) writev(syscall.RawConn, [][]byte) (int, error) {
	return 0, errors.ErrUnsupported
}
