package engine

import (
	"errors"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// errWouldBlock says the socket took less than it was given.
var errWouldBlock = errors.New("socket full")

// setSendBuffer sets the kernel send buffer of socket fd.
func setSendBuffer(fd, bytes int) {
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, bytes)
}

// maxIovecs is IOV_MAX on Linux: the most buffers one writev takes.
const maxIovecs = 1024

// vectors writes buffers to a socket with non-blocking writev calls.
type vectors struct {
	iov []unix.Iovec
	// writevFD is the RawConn callback, made once so that a write
	// allocates nothing; n and errno are its results.
	writevFD func(fd uintptr) bool
	n        int
	errno    syscall.Errno
}

// writev writes bufs with non-blocking writev calls, at most IOV_MAX
// buffers each, until all is written or the socket is full. It returns
// errWouldBlock, with the bytes written, when the socket is full: only once
// a call has met EAGAIN, which makes the kernel report writability again
// (after a merely partial write it might not).
func (v *vectors) writev(raw syscall.RawConn, bufs [][]byte) (int, error) {
	if v.writevFD == nil {
		v.writevFD = v.call // once: a method value allocates
	}
	total := 0
	defer func() { clear(v.iov) }()
	for {
		if !v.fill(bufs, total) {
			return total, nil
		}
		if err := raw.Write(v.writevFD); err != nil {
			return total, err
		}
		switch {
		case v.errno == unix.EAGAIN:
			return total, errWouldBlock
		case v.errno != 0:
			return total, v.errno
		}
		total += v.n
	}
}

// fill sets the iovecs to the bytes of bufs after the first skip, at most
// IOV_MAX of them; it reports whether there are any.
func (v *vectors) fill(bufs [][]byte, skip int) bool {
	v.iov = v.iov[:0]
	for _, b := range bufs {
		if skip >= len(b) {
			skip -= len(b)
			continue
		}
		b, skip = b[skip:], 0
		iov := unix.Iovec{Base: &b[0]}
		iov.SetLen(len(b))
		if v.iov = append(v.iov, iov); len(v.iov) == maxIovecs {
			break
		}
	}
	return len(v.iov) > 0
}

// call is one writev on fd. It never asks RawConn.Write to wait for
// writability: a full socket is the engine's to wait for, without parking
// a goroutine.
func (v *vectors) call(fd uintptr) bool {
	for {
		r, _, e := unix.Syscall(unix.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&v.iov[0])), uintptr(len(v.iov)))
		if e != unix.EINTR {
			v.n, v.errno = int(r), e
			return true
		}
	}
}
