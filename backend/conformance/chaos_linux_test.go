package conformance_test

import (
	"net"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// socketID is a socket's cookie: the kernel's number for it, whichever
// descriptors refer to it.
type socketID uint64

// socketOf returns conn's socket's cookie, or 0 if it has none.
func socketOf(conn net.Conn) socketID {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return 0
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0
	}
	var id uint64
	raw.Control(func(fd uintptr) { id, _ = unix.GetsockoptUint64(int(fd), unix.SOL_SOCKET, unix.SO_COOKIE) })
	return socketID(id)
}

// shutdownSocket shuts socket id down in both directions under any of the
// process's descriptors that refers to it: the engine holds a taken-over
// connection's socket on a descriptor of its own. It works on duplicates,
// so that a descriptor closed and reused meanwhile is never touched.
func shutdownSocket(id socketID) {
	if id == 0 {
		return
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, e := range fds {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fd, err := unix.FcntlInt(uintptr(n), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			continue
		}
		if c, err := unix.GetsockoptUint64(fd, unix.SOL_SOCKET, unix.SO_COOKIE); err == nil && socketID(c) == id {
			unix.Shutdown(fd, unix.SHUT_RDWR)
		}
		unix.Close(fd)
	}
}
