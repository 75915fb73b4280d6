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

// dupSocket returns a new descriptor of socket fd, closed on exec. It
// shares fd's file status, so it is non-blocking as Go's sockets are.
func dupSocket(fd int) (int, error) {
	return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
}

// setLingerZero makes closing socket fd reset the connection and drop its
// send queue.
func setLingerZero(fd int) {
	unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
}

// closeSocket closes descriptor fd.
func closeSocket(fd int) { unix.Close(fd) }

// maxIovecs is IOV_MAX on Linux: the most buffers one writev takes.
const maxIovecs = 1024

// vectors writes buffers to a socket with non-blocking writev calls.
type vectors struct {
	iov []unix.Iovec
}

// writev writes bufs with non-blocking writev calls, at most IOV_MAX
// buffers each, until all is written or the socket is full. It returns
// errWouldBlock, with the bytes written, when the socket is full: only once
// a call has met EAGAIN, which makes the kernel report writability again
// (after a merely partial write it might not).
func (v *vectors) writev(fd int, bufs [][]byte) (int, error) {
	total := 0
	defer func() { clear(v.iov) }()
	for {
		if !v.fill(bufs, total) {
			return total, nil
		}
		n, errno := v.call(fd)
		switch {
		case errno == unix.EAGAIN:
			return total, errWouldBlock
		case errno != 0:
			return total, errno
		}
		total += n
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

// call is one writev of the iovecs on fd, retried if interrupted. It never
// waits for writability: a full socket is the engine's to wait for, without
// parking a goroutine.
func (v *vectors) call(fd int) (int, syscall.Errno) {
	for {
		r, _, e := unix.Syscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&v.iov[0])), uintptr(len(v.iov)))
		if e != unix.EINTR {
			return int(r), e
		}
	}
}
