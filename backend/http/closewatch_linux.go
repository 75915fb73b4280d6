package http

import (
	"net"
	"sync"
	"syscall"
)

// epollWatcher notices clients leaving for every taken-over stream with one
// epoll instance and one goroutine, instead of a reading goroutine per
// stream: it waits for the peer's hang-up (EPOLLRDHUP, EPOLLHUP, EPOLLERR),
// never for data, so a byte a client sends does not end its stream.
type epollWatcher struct {
	epfd int
	mu   sync.Mutex
	next int32
	byFD map[int32]watched
}

// watched is a registered connection; seq tells a late event for a closed
// descriptor from one for a new connection that reuses its number.
type watched struct {
	seq  int32
	gone chan struct{}
}

const hangupEvents = syscall.EPOLLRDHUP | syscall.EPOLLHUP | syscall.EPOLLERR

// newCloseNotifier returns the epoll watcher, or the reading one if epoll
// cannot be had.
func newCloseNotifier() closeNotifier {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return readWatcher{}
	}
	w := &epollWatcher{epfd: epfd, byFD: make(map[int32]watched)}
	go w.loop()
	return w
}

// watch registers conn; a connection without a descriptor (such as TLS)
// falls back to a reading goroutine.
func (w *epollWatcher) watch(conn net.Conn) (<-chan struct{}, func()) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return readWatcher{}.watch(conn)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return readWatcher{}.watch(conn)
	}
	var fd int32
	var gone chan struct{}
	var seq int32
	var addErr error
	raw.Control(func(u uintptr) {
		fd = int32(u)
		w.mu.Lock()
		defer w.mu.Unlock()
		w.next++
		seq = w.next
		gone = make(chan struct{})
		ev := syscall.EpollEvent{Events: hangupEvents, Fd: fd, Pad: seq}
		if addErr = syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev); addErr == nil {
			w.byFD[fd] = watched{seq: seq, gone: gone}
		}
	})
	if addErr != nil {
		return readWatcher{}.watch(conn)
	}
	return gone, func() { w.unwatch(fd, seq) }
}

// unwatch removes a registration that has not fired.
func (w *epollWatcher) unwatch(fd, seq int32) { w.remove(fd, seq) }

// remove drops fd's registration if it is still seq's and returns its
// channel; ok is false if it already fired or was removed.
func (w *epollWatcher) remove(fd, seq int32) (gone chan struct{}, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	cur, ok := w.byFD[fd]
	if !ok || cur.seq != seq {
		return nil, false
	}
	delete(w.byFD, fd)
	syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
	return cur.gone, true
}

// loop closes the gone channel of every connection that hangs up.
func (w *epollWatcher) loop() {
	events := make([]syscall.EpollEvent, 256)
	for {
		n, err := syscall.EpollWait(w.epfd, events, -1)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return
		}
		for _, ev := range events[:n] {
			w.fire(ev.Fd, ev.Pad)
		}
	}
}

// fire tells the stream of a connection that hung up.
func (w *epollWatcher) fire(fd, seq int32) {
	if gone, ok := w.remove(fd, seq); ok {
		close(gone)
	}
}
